import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { channelConfig } from './config/channel.config';

runMain('channel', () => bootstrap({ name: 'channel', module: AppModule.register(channelConfig()), config: channelConfig(), microservice: true }));

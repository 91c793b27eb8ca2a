import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { presenceConfig } from './config/presence.config';

runMain('presence', () => bootstrap({ name: 'presence', module: AppModule.register(presenceConfig()), config: presenceConfig(), microservice: true }));

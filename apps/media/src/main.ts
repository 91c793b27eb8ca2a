import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { mediaConfig } from './config/media.config';

runMain('media', () => bootstrap({ name: 'media', module: AppModule.register(mediaConfig()), config: mediaConfig(), microservice: true }));

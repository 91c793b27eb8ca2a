import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { apiConfig } from './config/api.config';

runMain('api', () => bootstrap({ name: 'api', module: AppModule.register(apiConfig()), config: apiConfig(), microservice: false }));

import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { historyConfig } from './config/history.config';

runMain('history', () => bootstrap({ name: 'history', module: AppModule.register(historyConfig()), config: historyConfig(), microservice: true }));

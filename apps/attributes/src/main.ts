import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { attributesConfig } from './config/attributes.config';

runMain('attributes', () => bootstrap({ name: 'attributes', module: AppModule.register(attributesConfig()), config: attributesConfig(), microservice: true }));

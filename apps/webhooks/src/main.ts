import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { webhooksConfig } from './config/webhooks.config';

// No NATS subjects of its own: the dispatcher reads the event record and its outbox in Postgres.
runMain('webhooks', () => bootstrap({ name: 'webhooks', module: AppModule.register(webhooksConfig()), config: webhooksConfig(), microservice: false }));

import './instrument';
import { bootstrap, runMain } from '@parley/platform';
import { AppModule } from './app.module';
import { invitationConfig } from './config/invitation.config';

runMain('invitation', () => bootstrap({ name: 'invitation', module: AppModule.register(invitationConfig()), config: invitationConfig(), microservice: true }));

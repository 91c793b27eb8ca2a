import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { AttributesService } from './attributes.service';

/** User and channel attributes. */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers: [AttributesService],
  exports: [AttributesService],
})
export class AttributesModule {}

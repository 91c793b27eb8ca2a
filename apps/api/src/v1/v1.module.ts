import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { HttpModule } from '../http/http.module';
import { AttributesController } from './attributes.controller';
import { AttributesService } from './attributes.service';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';
import { MetadataController } from './metadata.controller';
import { MetadataService } from './metadata.service';
import { ModerationController } from './moderation.controller';
import { ModerationService } from './moderation.service';
import { V1Controller } from './v1.controller';
import { V1Service } from './v1.service';

@Module({
  imports: [AuthModule, ClientsModule, HttpModule],
  controllers: [V1Controller, AttributesController, MetadataController, ModerationController, HistoryController],
  providers: [V1Service, AttributesService, MetadataService, ModerationService, HistoryService],
})
export class V1Module {}

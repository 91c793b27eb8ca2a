import { Module } from '@nestjs/common';
import { OfflineController } from './offline.controller';
import { OfflineMetrics } from './offline.metrics';
import { OfflineRepository } from './offline.repository';
import { OfflineService } from './offline.service';

@Module({
  controllers: [OfflineController],
  providers: [OfflineService, OfflineRepository, OfflineMetrics],
})
export class OfflineModule {}

import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module';
import { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceService } from './maintenance.service';

/** Partitions ahead, size caps, whole expired days dropped. */
@Module({
  imports: [StoreModule],
  providers: [MaintenanceService, MaintenanceRepository],
})
export class MaintenanceModule {}

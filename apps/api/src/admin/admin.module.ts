import { Module } from '@nestjs/common';
import { AdminAppsController } from './admin-apps.controller';
import { AdminAppsRepository } from './admin-apps.repository';
import { AdminAppsService } from './admin-apps.service';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminCredentialsRepository } from './admin-credentials.repository';
import { AdminCredentialsService } from './admin-credentials.service';
import { AdminGuard } from './admin.guard';

/** The admin API (/v1/admin): apps, certificates, customer credentials. */
@Module({
  controllers: [AdminAppsController, AdminCredentialsController],
  providers: [AdminGuard, AdminAppsRepository, AdminAppsService, AdminCredentialsRepository, AdminCredentialsService],
})
export class AdminModule {}

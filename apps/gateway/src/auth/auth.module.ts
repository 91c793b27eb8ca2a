import { Module } from '@nestjs/common';
import { AppsRepository } from './apps.repository';
import { AuthService } from './auth.service';

@Module({
  providers: [AppsRepository, AuthService],
  exports: [AuthService],
})
export class AuthModule {}

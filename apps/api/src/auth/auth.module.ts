import { Module } from '@nestjs/common';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiAuthService } from './api-auth.service';
import { CredentialsRepository } from './credentials.repository';

@Module({ providers: [CredentialsRepository, ApiAuthService, ApiAuthGuard], exports: [ApiAuthService, ApiAuthGuard, CredentialsRepository] })
export class AuthModule {}

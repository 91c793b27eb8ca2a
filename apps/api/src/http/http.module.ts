import { Module } from '@nestjs/common';
import { SharedRateLimits } from './shared-rate-limits';

@Module({ providers: [SharedRateLimits], exports: [SharedRateLimits] })
export class HttpModule {}

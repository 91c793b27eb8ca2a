import { Module } from '@nestjs/common';
import { ServicesClient } from './services.client';

@Module({ providers: [ServicesClient], exports: [ServicesClient] })
export class ClientsModule {}

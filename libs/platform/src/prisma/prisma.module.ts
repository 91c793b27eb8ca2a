import { DynamicModule, Global, Module } from '@nestjs/common';
import type { DatabaseConfig } from '../config/load-config';
import { DATABASE_CONFIG, DATABASE_URL, PrismaService } from './prisma.service';

@Global()
@Module({})
export class PrismaModule {
  static forRoot(config: DatabaseConfig): DynamicModule {
    return {
      module: PrismaModule,
      providers: [{ provide: DATABASE_URL, useValue: config.DATABASE_URL }, { provide: DATABASE_CONFIG, useValue: config }, PrismaService],
      exports: [PrismaService, DATABASE_URL],
    };
  }
}

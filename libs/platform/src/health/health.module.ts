import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { DatabaseHealthIndicator, ExtraHealthIndicators, NatsHealthIndicator } from './health.indicators';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController, MetricsController],
  providers: [NatsHealthIndicator, DatabaseHealthIndicator, ExtraHealthIndicators],
})
export class HealthModule {}

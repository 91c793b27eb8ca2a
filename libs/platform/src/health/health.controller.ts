import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DatabaseHealthIndicator, ExtraHealthIndicators, NatsHealthIndicator } from './health.indicators';

/** Kubernetes probes: live = the process serves HTTP; ready = it can reach NATS, Postgres if used, and what the app registered (registerReadinessProbe, e.g. S3). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly nats: NatsHealthIndicator,
    private readonly database: DatabaseHealthIndicator,
    private readonly extra: ExtraHealthIndicators,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.nats.check(), () => this.database.check(), ...this.extra.checks()]);
  }
}

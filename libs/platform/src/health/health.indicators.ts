import { Injectable, Optional } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorFunction } from '@nestjs/terminus';
import type { NatsConnection } from 'nats';
import { InjectNats } from '../nats/nats.tokens';
import { PrismaService } from '../prisma/prisma.service';

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

@Injectable()
export class NatsHealthIndicator {
  constructor(
    @InjectNats() private readonly nc: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  async check() {
    const session = this.health.check('nats');
    try {
      if (this.nc.isClosed()) return session.down('connection closed');
      await within(1_000, this.nc.flush()); // a round trip proves the server answers
      return session.up();
    } catch (err) {
      return session.down((err as Error).message);
    }
  }
}

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Optional() private readonly prisma?: PrismaService,
  ) {}

  async check() {
    const session = this.health.check('database');
    if (!this.prisma) return session.up({ used: false });
    try {
      await within(1_000, this.prisma.$queryRaw`SELECT 1`);
      return session.up();
    } catch (err) {
      return session.down((err as Error).message);
    }
  }
}

/** A dependency an app adds to its readiness (e.g. the media service's S3): resolves when reachable. */
export type ReadinessProbe = () => Promise<unknown>;
const probes = new Map<string, ReadinessProbe>();

/** Adds `name` to this process's /health/ready; the probe gets 1 s to answer. */
export function registerReadinessProbe(name: string, probe: ReadinessProbe): void {
  probes.set(name, probe);
}

@Injectable()
export class ExtraHealthIndicators {
  constructor(private readonly health: HealthIndicatorService) {}

  checks(): HealthIndicatorFunction[] {
    return [...probes].map(([name, probe]) => async () => {
      const session = this.health.check(name);
      try {
        await within(1_000, probe());
        return session.up();
      } catch (err) {
        return session.down((err as Error).message);
      }
    });
  }
}

import { Controller, Get, Header, Logger, NotFoundException } from '@nestjs/common';
import { PROMETHEUS_CONTENT_TYPE, scrapeMetrics } from '../telemetry/metrics';

/** Prometheus scrapes every app here, on its HTTP port (the exporter starts no server of its own). */
@Controller('metrics')
export class MetricsController {
  private readonly logger = new Logger('Metrics');

  @Get()
  @Header('Content-Type', PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async metrics(): Promise<string> {
    const scrape = await scrapeMetrics();
    if (!scrape) throw new NotFoundException('metrics are off (OTEL_METRICS_EXPORTER=none)');
    for (const err of scrape.errors) this.logger.warn(`metrics collection: ${(err as Error)?.message ?? String(err)}`);
    return scrape.text;
  }
}

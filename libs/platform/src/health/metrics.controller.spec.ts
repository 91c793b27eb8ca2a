import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { counter, startMetrics, stopMetrics } from '../telemetry/metrics';
import { MetricsController } from './metrics.controller';

describe('GET /metrics', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    startMetrics(resourceFromAttributes({ 'service.name': 'parley-unit' }));
    const moduleRef = await Test.createTestingModule({ controllers: [MetricsController] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/metrics`;
  });

  afterAll(async () => {
    await app?.close();
    await stopMetrics();
  });

  it('serves a registered counter in the Prometheus text format 0.0.4', async () => {
    counter('parley.unit.scraped', 'Counted by the test').bind({ result: 'ok' }).add(4);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const type = res.headers.get('content-type')!.split(/;\s*/);
    expect(type[0]).toBe('text/plain');
    expect(type).toContain('version=0.0.4');
    const body = await res.text();
    expect(body).toContain('# TYPE parley_unit_scraped_total counter');
    expect(body).toMatch(/^parley_unit_scraped_total\{result="ok",service_name="parley-unit"\} 4$/m);
  });

  it('answers 404 when metrics are off', async () => {
    await stopMetrics();
    expect((await fetch(url)).status).toBe(404);
    startMetrics(resourceFromAttributes({ 'service.name': 'parley-unit' }));
    expect((await fetch(url)).status).toBe(200);
  });
});

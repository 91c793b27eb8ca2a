import { Logger, type NestMiddleware } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { counter, histogram, LATENCY_SECONDS_BUCKETS } from '@parley/platform/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { requestIdOf } from './request-id';

const requests = counter('parley.api.requests', 'Server API requests answered, by route template, method and status');
const duration = histogram('parley.api.request_duration_seconds', 'Server API request duration, by route template and method', 's', LATENCY_SECONDS_BUCKETS);
const logger = new Logger('Api');

/** The route template Express matched (`/dev/v2/project/:appid/rtm/users/:user_id/peer_messages`), never the ids. */
function routeOf(req: Request): string {
  const route = (req.route as { path?: string | string[] } | undefined)?.path;
  const path = Array.isArray(route) ? route[0] : route;
  return path ? `${req.baseUrl}${path}`.replace(/:(\w+)/g, '{$1}') : 'unmatched';
}

/**
 * Per request, once answered: the HTTP server span (started by the http instrumentation) is named
 * after the route template (`POST /dev/v2/project/{appid}/rtm/users/{user_id}/peer_messages`) with
 * `http.route` and the request id, so a REST send and its NATS requests form one trace; metrics by
 * route and status; one log line with the request id.
 */
export class HttpObservability implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const started = performance.now();
    const span = trace.getActiveSpan();
    res.once('finish', () => {
      const route = routeOf(req);
      const labels = { route, method: req.method, status: String(res.statusCode) };
      requests.bind(labels).add();
      duration.bind({ route, method: req.method }).record((performance.now() - started) / 1000);
      span?.updateName(`${req.method} ${route}`);
      span?.setAttributes({ 'http.route': route, 'parley.request_id': requestIdOf(req) });
      logger.debug({
        msg: 'request',
        method: req.method,
        route,
        status: res.statusCode,
        requestId: requestIdOf(req),
        ms: Math.round(performance.now() - started),
      });
    });
    next();
  }
}

import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { API_CONFIG, type ApiConfig } from '../config/api.config';

/** What a page may send: the admin bearer token or a customer credential, JSON, and the /v1 headers. */
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Parley-Uid, X-Request-Id, X-Agora-Token, X-Agora-Uid';
const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE';
/** Headers of our answers a page may read (besides the CORS-safelisted ones). */
const EXPOSE_HEADERS = 'X-Request-Id, Retry-After, Idempotent-Replayed';
/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_S = '600';

/** /v1 and /v1/admin, not Agora's /dev/v2 (app backends, never pages) or anything else. */
const isCorsPath = (url: string): boolean => url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');

/**
 * CORS for the origins of API_CORS_ORIGINS only (the operator console served by the gateways):
 * an allowed Origin gets `Access-Control-Allow-Origin: <that origin>` and a preflight (OPTIONS with
 * Access-Control-Request-Method) is answered 204 here with the methods and headers above. Never
 * credentials (Access-Control-Allow-Credentials): the console sends its token in Authorization, no
 * cookie is involved. Any other origin gets no CORS header (its browser refuses to read the answer;
 * the request itself is authenticated as any other). With no origins configured nothing is added.
 */
@Injectable()
export class CorsMiddleware implements NestMiddleware {
  private readonly origins: ReadonlySet<string>;

  constructor(@Inject(API_CONFIG) config: Pick<ApiConfig, 'API_CORS_ORIGINS'>) {
    this.origins = new Set(config.API_CORS_ORIGINS);
  }

  use(req: Request, res: Response, next: NextFunction): void {
    if (this.origins.size === 0 || !isCorsPath(req.originalUrl)) return next();
    // The answer depends on Origin for every request of these paths: caches must keep them apart.
    res.vary('Origin');
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !this.origins.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_S);
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    next();
  }
}

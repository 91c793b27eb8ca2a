import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const GIVEN = /^[A-Za-z0-9._-]{8,64}$/;
const KEY = Symbol('requestId');

/**
 * Every request has an id: the caller's X-Request-Id when it looks like one, else a fresh UUID. It is
 * echoed in X-Request-Id, returned as Agora's `request_id` and logged with the request.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && GIVEN.test(given) ? given : randomUUID();
  (req as unknown as Record<symbol, string>)[KEY] = id;
  res.setHeader('X-Request-Id', id);
  next();
}

export function requestIdOf(req: Request): string {
  return (req as unknown as Record<symbol, string | undefined>)[KEY] ?? 'none';
}

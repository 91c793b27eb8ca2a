import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { API_CONFIG, type ApiConfig } from '../config/api.config';
import { forbidden, unauthorized } from '../http/api-error';

const BEARER = /^Bearer ([\x21-\x7e]{1,1024})$/;
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`. No ADMIN_TOKEN configured: the admin API is off, 403 for
 * everyone (nothing to guess); a missing or wrong token: 401. Compared as SHA-256 digests with
 * timingSafeEqual: equal lengths, and the time says nothing about the token.
 */
export function checkAdminToken(configured: string, authorization: string | undefined): void {
  if (configured === '') throw forbidden('the admin API is disabled on this server (ADMIN_TOKEN is not set)');
  const given = authorization ? BEARER.exec(authorization.trim())?.[1] : undefined;
  if (given === undefined) throw unauthorized('Authorization: Bearer <admin token>');
  if (!timingSafeEqual(digest(given), digest(configured))) throw unauthorized('invalid admin token');
}

/** Guards /v1/admin/…: only the operator holding ADMIN_TOKEN. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    checkAdminToken(this.config.ADMIN_TOKEN, ctx.switchToHttp().getRequest<Request>().headers.authorization);
    return true;
  }
}

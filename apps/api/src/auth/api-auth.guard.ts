import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiAuthService, type AuthHeaders } from './api-auth.service';
import type { Principal } from './principal';

const PRINCIPAL = Symbol('principal');
type WithPrincipal = Request & { [PRINCIPAL]?: Principal };

/** Routes with an {appid} path parameter: the caller must be authenticated for that app. */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(private readonly auth: ApiAuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WithPrincipal>();
    req[PRINCIPAL] = await this.auth.authenticate(req.params['appid'], req.headers as AuthHeaders);
    return true;
  }
}

/** The authenticated caller (ApiAuthGuard ran). */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<WithPrincipal>()[PRINCIPAL];
  if (!principal) throw new Error('ApiAuthGuard did not run');
  return principal;
});

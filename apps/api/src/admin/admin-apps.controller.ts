import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { AdminAppsService } from './admin-apps.service';
import { AdminGuard } from './admin.guard';
import { AdminAppParams, AppsQuery, CreateAppBody, RotateCertificateBody, UpdateAppBody } from './admin.schemas';

type Params = z.infer<typeof AdminAppParams>;

/** /v1/admin/apps: the operator's app management (bearer ADMIN_TOKEN). */
@Controller('v1/admin/apps')
@UseGuards(AdminGuard)
export class AdminAppsController {
  constructor(private readonly apps: AdminAppsService) {}

  @Post()
  create(@Body(new ZodPipe(CreateAppBody.default({}))) body: z.infer<typeof CreateAppBody>) {
    return this.apps.create(body);
  }

  @Get()
  list(@Query(new ZodPipe(AppsQuery)) query: z.infer<typeof AppsQuery>) {
    return this.apps.list(query);
  }

  @Get(':appid')
  get(@Param(new ZodPipe(AdminAppParams)) p: Params) {
    return this.apps.get(p.appid as AppId);
  }

  @Patch(':appid')
  update(@Param(new ZodPipe(AdminAppParams)) p: Params, @Body(new ZodPipe(UpdateAppBody)) body: UpdateAppBody) {
    return this.apps.update(p.appid as AppId, body);
  }

  @Delete(':appid')
  delete(@Param(new ZodPipe(AdminAppParams)) p: Params) {
    return this.apps.delete(p.appid as AppId);
  }

  @Post(':appid/certificate/rotate')
  @HttpCode(200)
  rotate(@Param(new ZodPipe(AdminAppParams)) p: Params, @Body(new ZodPipe(RotateCertificateBody.default({}))) body: z.infer<typeof RotateCertificateBody>) {
    return this.apps.rotateCertificate(p.appid as AppId, body);
  }

  @Delete(':appid/certificate')
  removeCertificate(@Param(new ZodPipe(AdminAppParams)) p: Params) {
    return this.apps.removeCertificate(p.appid as AppId);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { AdminWebhooksService } from './admin-webhooks.service';
import { CreateWebhookBody, FailuresQuery, ReplayBody, UpdateWebhookBody, WebhookAppParams, WebhookParams } from './admin-webhooks.schemas';
import { AdminGuard } from './admin.guard';

type AppParams = z.infer<typeof WebhookAppParams>;
type Params = z.infer<typeof WebhookParams>;

/** /v1/admin/apps/{appid}/webhooks: an app's webhook endpoints, their test ping and failed deliveries. */
@Controller('v1/admin/apps/:appid/webhooks')
@UseGuards(AdminGuard)
export class AdminWebhooksController {
  constructor(private readonly webhooks: AdminWebhooksService) {}

  @Post()
  create(@Param(new ZodPipe(WebhookAppParams)) p: AppParams, @Body(new ZodPipe(CreateWebhookBody)) body: z.infer<typeof CreateWebhookBody>) {
    return this.webhooks.create(p.appid as AppId, body);
  }

  @Get()
  list(@Param(new ZodPipe(WebhookAppParams)) p: AppParams) {
    return this.webhooks.list(p.appid as AppId);
  }

  @Get(':id')
  get(@Param(new ZodPipe(WebhookParams)) p: Params) {
    return this.webhooks.get(p.appid as AppId, p.id);
  }

  @Patch(':id')
  update(@Param(new ZodPipe(WebhookParams)) p: Params, @Body(new ZodPipe(UpdateWebhookBody)) body: z.infer<typeof UpdateWebhookBody>) {
    return this.webhooks.update(p.appid as AppId, p.id, body);
  }

  @Delete(':id')
  delete(@Param(new ZodPipe(WebhookParams)) p: Params) {
    return this.webhooks.delete(p.appid as AppId, p.id);
  }

  @Post(':id/test')
  @HttpCode(200)
  test(@Param(new ZodPipe(WebhookParams)) p: Params) {
    return this.webhooks.test(p.appid as AppId, p.id);
  }

  @Get(':id/failures')
  failures(@Param(new ZodPipe(WebhookParams)) p: Params, @Query(new ZodPipe(FailuresQuery)) query: z.infer<typeof FailuresQuery>) {
    return this.webhooks.failures(p.appid as AppId, p.id, query);
  }

  @Post(':id/failures/replay')
  @HttpCode(200)
  replay(@Param(new ZodPipe(WebhookParams)) p: Params, @Body(new ZodPipe(ReplayBody.default({}))) body: z.infer<typeof ReplayBody>) {
    return this.webhooks.replay(p.appid as AppId, p.id, body);
  }
}

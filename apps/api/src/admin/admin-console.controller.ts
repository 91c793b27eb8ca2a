import { Body, Controller, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import type { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { AdminChannelParams, AdminUserParams, MintTokenBody, StatsQuery } from './admin-console.schemas';
import { AdminLookupService } from './admin-lookup.service';
import { AdminStatsService } from './admin-stats.service';
import { AdminTokensService } from './admin-tokens.service';
import { AdminGuard } from './admin.guard';
import { AdminAppParams } from './admin.schemas';

/** What the operator console reads and does beyond app management (bearer ADMIN_TOKEN): tokens, live counts, lookups. */
@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminConsoleController {
  constructor(
    private readonly tokens: AdminTokensService,
    private readonly counts: AdminStatsService,
    private readonly lookup: AdminLookupService,
  ) {}

  @Post('apps/:appid/tokens')
  mint(@Param(new ZodPipe(AdminAppParams)) p: z.infer<typeof AdminAppParams>, @Body(new ZodPipe(MintTokenBody)) body: MintTokenBody) {
    return this.tokens.mint(p.appid as AppId, body);
  }

  @Get('stats')
  stats(@Query(new ZodPipe(StatsQuery)) query: StatsQuery) {
    return this.counts.stats(query);
  }

  @Get('apps/:appid/users/:uid')
  user(@Param(new ZodPipe(AdminUserParams)) p: z.infer<typeof AdminUserParams>) {
    return this.lookup.user(p.appid as AppId, p.uid);
  }

  @Get('apps/:appid/channels/:channel')
  channel(@Param(new ZodPipe(AdminChannelParams)) p: z.infer<typeof AdminChannelParams>) {
    return this.lookup.channel(p.appid as AppId, p.channel);
  }
}

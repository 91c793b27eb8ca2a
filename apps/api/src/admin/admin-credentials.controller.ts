import { Body, Controller, Delete, Get, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { z } from 'zod';
import { ZodPipe } from '../http/zod.pipe';
import { AdminCredentialsService } from './admin-credentials.service';
import { AdminGuard } from './admin.guard';
import { CreateCredentialBody, CredentialParams, CredentialsQuery } from './admin.schemas';

/** /v1/admin/credentials: customer key/secret pairs of the server API (bearer ADMIN_TOKEN). */
@Controller('v1/admin/credentials')
@UseGuards(AdminGuard)
export class AdminCredentialsController {
  constructor(private readonly credentials: AdminCredentialsService) {}

  @Post()
  create(@Body(new ZodPipe(CreateCredentialBody)) body: z.infer<typeof CreateCredentialBody>) {
    return this.credentials.create(body);
  }

  @Get()
  list(@Query(new ZodPipe(CredentialsQuery)) query: z.infer<typeof CredentialsQuery>) {
    return this.credentials.list(query);
  }

  @Delete(':key')
  revoke(@Param(new ZodPipe(CredentialParams)) p: z.infer<typeof CredentialParams>) {
    return this.credentials.revoke(p.key);
  }
}

import { PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { badRequest } from './api-error';

/** Validates a body, query or params object against its schema (the one OpenAPI documents); 400 on any issue. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.map(String).join('.') : 'request';
    throw badRequest(`${where}: ${issue.message}`);
  }
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: unknown;
  method: string;
  /** The OpenAPI path template the request was made against. */
  template: string;
}

/** Every answer a suite saw, validated against the OpenAPI document at the end. */
export class ApiRecorder {
  readonly seen: ApiResponse[] = [];

  /** A request to a server API replica; `template` names the OpenAPI path it exercises. */
  async call(
    base: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    template: string,
    opts: { auth?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) headers['authorization'] = opts.auth;
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json;charset=utf-8';
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text, and the OpenAPI check will fail it
    }
    const out = { status: res.status, headers: res.headers, body: parsed, method: method.toLowerCase(), template };
    this.seen.push(out);
    return out;
  }
}

type OpenApiDoc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };

/**
 * Checks each recorded answer against the document's schema for its path, method and status (JSON
 * Schema 2020-12, as OpenAPI 3.1 defines it). Returns the mismatches (empty: all conform).
 */
export function validateAgainstOpenApi(doc: OpenApiDoc, seen: readonly ApiResponse[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(doc as object, 'doc');
  const problems: string[] = [];
  for (const r of seen) {
    const op = doc.paths[r.template]?.[r.method];
    if (!op) {
      problems.push(`${r.method} ${r.template}: not in the document`);
      continue;
    }
    const response = op.responses[String(r.status)];
    if (!response) {
      problems.push(`${r.method} ${r.template} → ${r.status}: status not documented`);
      continue;
    }
    const pointer = ['paths', r.template, r.method, 'responses', String(r.status), 'content', 'application/json', 'schema']
      .map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const validate = ajv.getSchema(`doc#/${pointer}`);
    if (!validate) {
      problems.push(`${r.method} ${r.template} → ${r.status}: no JSON schema`);
      continue;
    }
    if (!validate(r.body)) problems.push(`${r.method} ${r.template} → ${r.status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(r.body)}`);
  }
  return problems;
}

/** Lints the document with @seriousme/openapi-schema-validator (an ESM CLI, so in a child process). */
export function lintOpenApi(doc: unknown): { valid: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
  try {
    const output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
    return { valid: /"valid":\s*true/.test(output), output };
  } catch (err) {
    return { valid: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}

/**
 * The shape of a JSON value: keys (sorted) and value types, recursively; arrays by their first
 * element. Fixtures hold these shapes, so a renamed or extra key fails the comparison.
 */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

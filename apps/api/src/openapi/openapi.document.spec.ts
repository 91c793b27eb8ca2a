import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi.document';

/** The document is valid OpenAPI 3.1 (the validator the int tests use) and has every history route. */
describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument('test') as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

  it('is a valid OpenAPI 3.1 document', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    const output = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
    expect(output).toMatch(/"valid":\s*true/);
  });

  it.each([
    ['post', '/dev/v2/project/{appid}/rtm/message/history/query'],
    ['get', '/dev/v2/project/{appid}/rtm/message/history/query/{handle}'],
    ['get', '/dev/v2/project/{appid}/rtm/message/history/count'],
    ['get', '/v1/apps/{appid}/history/channels/{channel}'],
    ['get', '/v1/apps/{appid}/history/users/{uid}/peers/{peer}'],
    ['patch', '/v1/admin/apps/{appid}'],
  ])('documents %s %s with its answer and errors', (method, path) => {
    const responses = doc.paths[path]?.[method]?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
  });

  it.each([
    ['post', '/v1/admin/apps/{appid}/tokens', '201'],
    ['get', '/v1/admin/stats', '200'],
    ['get', '/v1/admin/apps/{appid}/users/{uid}', '200'],
    ['get', '/v1/admin/apps/{appid}/channels/{channel}', '200'],
  ])('documents the console’s %s %s with its answer and errors', (method, path, ok) => {
    const responses = doc.paths[path]?.[method]?.responses ?? {};
    expect(Object.keys(responses)).toEqual(expect.arrayContaining([ok, '400', '401', '403', '404']));
  });
});

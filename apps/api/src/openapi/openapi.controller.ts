import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, NotFoundException, Param } from '@nestjs/common';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { buildOpenApiDocument } from './openapi.document';

const VERSION = '0.1.0';
/** Files of the bundled renderer served under /docs/assets (no CDN at run time). */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Parley server API</title><link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/v1/openapi.json', dom_id: '#ui', deepLinking: true });`;

/** GET /v1/openapi.json (the document) and /docs (a rendered reference, Swagger UI bundled from swagger-ui-dist). */
@Controller()
export class OpenApiController {
  private readonly document = JSON.stringify(buildOpenApiDocument(VERSION));
  private readonly assets = new Map<string, Buffer>();

  @Get('v1/openapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  openapi(): string {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
  docs(): string {
    return PAGE;
  }

  @Get('docs/assets/docs-init.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  init(): string {
    return INIT;
  }

  @Get('docs/assets/:file')
  @Header('Cache-Control', 'public, max-age=86400')
  asset(@Param('file') file: string): Buffer {
    if (!Object.hasOwn(ASSETS, file)) throw new NotFoundException();
    let body = this.assets.get(file);
    if (!body) {
      body = readFileSync(join(getAbsoluteFSPath(), file));
      this.assets.set(file, body);
    }
    return body;
  }
}

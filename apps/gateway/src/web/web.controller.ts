import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { WebService, type RequestOrigin, type WebAnswer } from './web.service';

/** Express 5 gives a `*name` wildcard as its segments. */
const joined = (segments: string[] | string | undefined): string | undefined => (Array.isArray(segments) ? segments.join('/') : segments);

function send(res: Response, answer: WebAnswer): void {
  res.status(answer.status).set(answer.headers);
  if (answer.body === undefined) res.end();
  else res.send(answer.body);
}

const originOf = (req: Request): RequestOrigin => ({ host: req.headers.host, forwardedProto: req.get('x-forwarded-proto'), secure: req.secure });

/** The SDK's script bundle and the web console over HTTP (WebService says what is served and how it is cached). */
@Controller()
export class WebController {
  constructor(private readonly web: WebService) {}

  @Get('sdk/:file')
  sdk(@Param('file') file: string, @Req() req: Request, @Res() res: Response): void {
    send(res, this.web.sdkFile(file, undefined, req.headers['if-none-match']));
  }

  @Get('sdk/:version/:file')
  sdkVersioned(@Param('version') version: string, @Param('file') file: string, @Req() req: Request, @Res() res: Response): void {
    send(res, this.web.sdkFile(file, version, req.headers['if-none-match']));
  }

  @Get('console/config.json')
  consoleConfig(@Req() req: Request, @Res() res: Response): void {
    send(res, this.web.consoleConfig(originOf(req)));
  }

  @Get('console')
  consoleRoot(@Req() req: Request, @Res() res: Response): void {
    send(res, this.web.consoleFile(undefined, req.originalUrl, req.headers['if-none-match'], originOf(req)));
  }

  @Get('console/*path')
  console(@Param('path') path: string[] | string, @Req() req: Request, @Res() res: Response): void {
    send(res, this.web.consoleFile(joined(path) ?? '', req.originalUrl, req.headers['if-none-match'], originOf(req)));
  }
}

import { Module } from '@nestjs/common';
import { WebController } from './web.controller';
import { WebService } from './web.service';

/** HTTP next to the WebSocket: the SDK's script-tag bundle at /sdk/ and the web console at /console/. */
@Module({
  controllers: [WebController],
  providers: [WebService],
})
export class WebModule {}

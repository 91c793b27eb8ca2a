import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  MetadataPatterns,
  type ChannelMetadataGetRequest,
  type ChannelMetadataWriteRequest,
  type UserMetadataGetRequest,
  type UserMetadataWriteRequest,
} from '@parley/contracts/internal';
import { MetadataService } from './metadata.service';

@Controller()
export class MetadataController {
  constructor(private readonly metadata: MetadataService) {}

  @MessagePattern(MetadataPatterns.userWrite)
  writeUser(@Payload() req: UserMetadataWriteRequest) {
    return this.metadata.writeUser(req);
  }

  @MessagePattern(MetadataPatterns.userGet)
  getUser(@Payload() req: UserMetadataGetRequest) {
    return this.metadata.getUser(req);
  }

  @MessagePattern(MetadataPatterns.channelWrite)
  writeChannel(@Payload() req: ChannelMetadataWriteRequest) {
    return this.metadata.writeChannel(req);
  }

  @MessagePattern(MetadataPatterns.channelGet)
  getChannel(@Payload() req: ChannelMetadataGetRequest) {
    return this.metadata.getChannel(req);
  }
}

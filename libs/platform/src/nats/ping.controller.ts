import { Controller, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Patterns, type ServiceName } from '@parley/contracts/internal';

export interface PingReply {
  service: ServiceName;
  pid: number;
}

/** A controller answering Patterns.ping(service) (with the prefix): liveness over NATS for health checks and tests. */
export function pingController(service: ServiceName): Type<unknown> {
  @Controller()
  class PingController {
    @MessagePattern(Patterns.ping(service))
    ping(): PingReply {
      return { service, pid: process.pid };
    }
  }
  return PingController;
}

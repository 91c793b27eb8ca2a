import { Controller, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Subjects, type ServiceName } from '@parley/contracts';

export interface PingReply {
  service: ServiceName;
  pid: number;
}

/** A controller answering Subjects.ping(service): liveness over NATS for health checks and tests. */
export function pingController(service: ServiceName): Type<unknown> {
  @Controller()
  class PingController {
    @MessagePattern(Subjects.ping(service))
    ping(): PingReply {
      return { service, pid: process.pid };
    }
  }
  return PingController;
}

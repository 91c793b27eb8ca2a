import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Patterns, type FetchOfflineRequest, type RemoveOfflineRequest, type StoreOfflineRequest } from '@parley/contracts/internal';
import { OfflineService } from './offline.service';

@Controller()
export class OfflineController {
  constructor(private readonly offline: OfflineService) {}

  @MessagePattern(Patterns.offline.store)
  store(@Payload() req: StoreOfflineRequest) {
    return this.offline.store(req);
  }

  @MessagePattern(Patterns.offline.fetch)
  fetch(@Payload() req: FetchOfflineRequest) {
    return this.offline.fetch(req);
  }

  @MessagePattern(Patterns.offline.remove)
  remove(@Payload() req: RemoveOfflineRequest) {
    return this.offline.remove(req);
  }
}

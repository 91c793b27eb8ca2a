import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Subjects, type FetchOfflineRequest, type RemoveOfflineRequest, type StoreOfflineRequest } from '@parley/contracts';
import { OfflineService } from './offline.service';

@Controller()
export class OfflineController {
  constructor(private readonly offline: OfflineService) {}

  @MessagePattern(Subjects.offline.store)
  store(@Payload() req: StoreOfflineRequest) {
    return this.offline.store(req);
  }

  @MessagePattern(Subjects.offline.fetch)
  fetch(@Payload() req: FetchOfflineRequest) {
    return this.offline.fetch(req);
  }

  @MessagePattern(Subjects.offline.remove)
  remove(@Payload() req: RemoveOfflineRequest) {
    return this.offline.remove(req);
  }
}

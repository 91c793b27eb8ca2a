import { Injectable } from '@nestjs/common';
import { Subjects, type FetchOfflineRequest, type RemoveOfflineRequest, type StoredOfflineMessage, type StoreOfflineRequest } from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the offline store (presence service; timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class OfflineClient {
  constructor(private readonly services: ServiceClient) {}

  /** Not retried: the answer is the CACHED_BY_SERVER promise, a store is never doubled by a retry here. */
  store(req: StoreOfflineRequest): Promise<unknown> {
    return this.services.request(Subjects.offline.store, req);
  }

  fetch(req: FetchOfflineRequest): Promise<StoredOfflineMessage[]> {
    return this.services.request(Subjects.offline.fetch, req);
  }

  remove(req: RemoveOfflineRequest): Promise<unknown> {
    return this.services.request(Subjects.offline.remove, req);
  }
}

import { Injectable } from '@nestjs/common';
import { HistorySubjects, type HistoryPageReply, type HistoryPageRequest } from '@parley/contracts/internal';
import { ServiceClient } from '@parley/platform';

/** The gateway's typed view of the history service (apps/history; timeouts: SERVICE_TIMEOUT_MS). */
@Injectable()
export class HistoryClient {
  constructor(private readonly services: ServiceClient) {}

  /** A read: asked again once when the replica that took it died. */
  page(req: HistoryPageRequest): Promise<HistoryPageReply> {
    return this.services.requestIdempotent(HistorySubjects.page, req);
  }
}

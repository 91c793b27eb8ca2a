import { HistorySubjects } from '@parley/contracts/internal';
import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type StreamConfig } from 'nats';

/** How long the history queue keeps a capture the history service has not stored (its outage budget). */
export const HISTORY_QUEUE_MAX_AGE_MS = 7 * 24 * 3600_000;
/** The queue's duplicate window (for publishers that set a Nats-Msg-Id; the capture batches do not). */
export const HISTORY_QUEUE_DUPLICATE_WINDOW_MS = 120_000;

/**
 * The history work queue (docs/architecture.md, "Message history"): file storage, work-queue
 * retention (a capture goes once the history service stored it and acknowledged it), every app's
 * capture subject. Created by whichever comes first: the history service at start, or a sender's
 * first capture. `maxBytes` −1: no limit but the disk's (a full queue refuses captures: the senders
 * get UNAVAILABLE instead of a silent loss).
 */
export function historyStreamConfig(limits: { maxAgeMs?: number; maxBytes?: number } = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: HistorySubjects.stream,
    subjects: [HistorySubjects.allCaptures],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    discard: DiscardPolicy.New,
    max_age: nanos(limits.maxAgeMs ?? HISTORY_QUEUE_MAX_AGE_MS),
    max_bytes: limits.maxBytes ?? -1,
    duplicate_window: nanos(HISTORY_QUEUE_DUPLICATE_WINDOW_MS),
  };
}

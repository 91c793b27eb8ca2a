import type { AppId } from '../ids';
import { Subjects } from './subjects';

/** The history stream of a deployment with this subject prefix (also used to remove a test run's). */
export function historyStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_history`;
}

/**
 * The history subjects (apps/history), derived from the one configured prefix like every other
 * subject (subjects.ts). Service request/reply patterns are named without the prefix (@MessagePattern).
 */
export const HistoryPatterns = {
  page: 'svc.history.page',
  query: 'svc.history.query',
  count: 'svc.history.count',
} as const;

/** Live view: each getter reads the prefix configured when it is called (as `Subjects`). */
export const HistorySubjects = {
  get page(): string {
    return `${Subjects.prefix}.${HistoryPatterns.page}`;
  },
  get query(): string {
    return `${Subjects.prefix}.${HistoryPatterns.query}`;
  },
  get count(): string {
    return `${Subjects.prefix}.${HistoryPatterns.count}`;
  },
  /** One app's messages to store (HistoryCapture), kept by the history work queue until stored. */
  capture: (appId: AppId | string): string => `${Subjects.prefix}.hist.${appId}`,
  /** Every app's: the subjects of the history stream. */
  get allCaptures(): string {
    return `${Subjects.prefix}.hist.*`;
  },
  /** JetStream stream (file storage, work-queue retention) of messages to store. */
  get stream(): string {
    return historyStreamName(Subjects.prefix);
  },
  /** The history service's durable pull consumer on it (shared by its replicas). */
  consumer: 'history-writer',
};

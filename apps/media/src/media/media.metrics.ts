import { ErrorCode, errorCodeName, ParleyError } from '@parley/contracts';
import { counter, gauge } from '@parley/platform/telemetry';

/** The media service's instruments (the uploads gauge's source: UploadsGauge). No attribute names a media, app or user. */
const bytes = counter('parley.media.bytes', 'Bytes written to storage (upload) and read from it (download)', 'By');
export const uploadedBytes = bytes.bind({ direction: 'upload' });
export const downloadedBytes = bytes.bind({ direction: 'download' });

const uploads = counter('parley.media.uploads', 'Uploads ended, by result: ok, canceled, idle, shutdown, or the ErrorCode name of the failure');
const uploadResults = uploads.keyed((result: string) => ({ result }));
/** Results known up front, so their series exist (at 0) from the start. */
for (const result of ['ok', 'canceled', 'idle', 'shutdown']) uploadResults.get(result);

export type UploadResult = 'ok' | 'canceled' | 'idle' | 'shutdown';

/** An upload ended: completed, ended by the reason named, or failed with `end` (a ParleyError's code, else UNKNOWN). */
export function countUpload(end: UploadResult | Error): void {
  const result = typeof end === 'string' ? end : errorCodeName(end instanceof ParleyError ? end.code : ErrorCode.UNKNOWN);
  uploadResults.get(result).add();
}

export const uploadsInProgress = gauge('parley.media.uploads_in_progress', 'Uploads this replica holds open');

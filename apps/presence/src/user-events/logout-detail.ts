import type { LogoutDetail, LogoutReason } from '@parley/contracts/internal';

/** A Logout's `app_events.detail` (JSON text for a `::jsonb` parameter): why the session ended. */
export const logoutDetail = (reason: LogoutReason): string => JSON.stringify({ reason } satisfies LogoutDetail);

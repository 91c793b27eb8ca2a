import type { AppId } from '@parley/contracts';

/** Who calls: a customer credential (may act as any user of the app) or an RTM token (only as its uid). */
export type Principal = { appId: AppId; kind: 'customer'; credentialId: string } | { appId: AppId; kind: 'token'; uid: string };

import * as RtmStatusCode from './enums';

/** agora-rtm-sdk's `RtmStatusCode` namespace: `RtmStatusCode.ConnectionState` etc. */
export { RtmStatusCode };

import * as RtmEvents from './rtm-events';

/** agora-rtm-sdk's `RtmEvents` namespace: `RtmEvents.RtmClientEvents` etc. */
export { RtmEvents };

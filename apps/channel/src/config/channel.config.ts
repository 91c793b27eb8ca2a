import { commonConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({ ...commonConfigShape });

export type ChannelConfig = z.infer<typeof schema>;

let cached: Readonly<ChannelConfig> | undefined;
export function channelConfig(): Readonly<ChannelConfig> {
  return (cached ??= loadConfig(schema));
}

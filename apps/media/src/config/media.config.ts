import { commonConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({ ...commonConfigShape });

export type MediaConfig = z.infer<typeof schema>;

let cached: Readonly<MediaConfig> | undefined;
export function mediaConfig(): Readonly<MediaConfig> {
  return (cached ??= loadConfig(schema));
}

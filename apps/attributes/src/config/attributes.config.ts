import { commonConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({ ...commonConfigShape });

export type AttributesConfig = z.infer<typeof schema>;

let cached: Readonly<AttributesConfig> | undefined;
export function attributesConfig(): Readonly<AttributesConfig> {
  return (cached ??= loadConfig(schema));
}

import { commonConfigShape, loadConfig } from '@parley/platform';
import { z } from 'zod';

const schema = z.object({ ...commonConfigShape });

export type InvitationConfig = z.infer<typeof schema>;

let cached: Readonly<InvitationConfig> | undefined;
export function invitationConfig(): Readonly<InvitationConfig> {
  return (cached ??= loadConfig(schema));
}

import { useState } from 'preact/hooks';
import type { AdminClient } from '../api/admin-client';
import type { ConsoleConfig } from '../config';
import { useStore } from '../hooks';
import { Alert } from '../ui';
import { Channel } from './channel';
import { Connection } from './connection';
import { Files } from './files';
import { Invitations } from './invitations';
import { PeerChat } from './peer-chat';
import { Presence, UserAttributes } from './presence';
import type { PlaygroundSession } from './session';

/** The SDK playground: one client in the page and a panel per SDK feature, in three columns that stack on narrow screens. */
export function Playground({ session, config, admin }: { session: PlaygroundSession; config: ConsoleConfig; admin: AdminClient | null }) {
  const s = useStore(session.store);
  const [peer, setPeer] = useState('');
  return (
    <div class="columns">
      {s.error && (
        <div class="wide">
          <Alert onDismiss={() => session.dismissError()}>{s.error}</Alert>
        </div>
      )}
      <div class="column">
        <Connection session={session} s={s} gatewayUrls={config.gatewayUrls} demoAppId={config.demoAppId} admin={admin} />
        <PeerChat session={session} s={s} peer={peer} setPeer={setPeer} />
        <Files session={session} s={s} peer={peer} />
      </div>
      <div class="column">
        <Channel session={session} s={s} />
        <Invitations session={session} s={s} />
      </div>
      <div class="column">
        <Presence session={session} s={s} />
        <UserAttributes session={session} s={s} />
      </div>
    </div>
  );
}

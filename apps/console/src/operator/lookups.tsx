import { useState } from 'preact/hooks';
import type { AdminClient, ChannelLookup, MetadataView, UserLookup } from '../api/admin-client';
import { formatTime } from '../format';
import { Alert, Field, KeyValues, onSubmit } from '../ui';
import { useAction } from './use-action';

const metadataText = (m: MetadataView | undefined): string =>
  m && m.items.length > 0 ? `rev ${m.majorRevision}: ${m.items.map((i) => `${i.key}=${i.value}`).join(', ')}` : '—';

function UserResult({ user }: { user: UserLookup }) {
  return (
    <KeyValues
      label={`User ${user.uid}`}
      entries={[
        ['Status', <span data-testid="user-status">{user.status}</span>],
        [
          'Sessions',
          user.sessions.map((s) => `${s.gatewayId} since ${new Date(s.since).toLocaleTimeString()}${s.status ? ` (${s.status})` : ''}`).join(', ') || '—',
        ],
        ['Channels', user.channels.join(', ') || '—'],
        [
          'Attributes',
          Object.entries(user.attributes)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || '—',
        ],
        ['Metadata', metadataText(user.metadata)],
      ]}
    />
  );
}

function ChannelResult({ channel }: { channel: ChannelLookup }) {
  return (
    <KeyValues
      label={`Channel ${channel.channel}`}
      entries={[
        ['Members', <span data-testid="channel-lookup-count">{channel.memberCount}</span>],
        ['Who', channel.members.join(', ') || '—'],
        [
          'Attributes',
          Object.entries(channel.attributes)
            .map(([k, a]) => `${k}=${a.value} (${a.lastUpdateUserId}, ${formatTime(a.lastUpdateTs)})`)
            .join(', ') || '—',
        ],
        ['Metadata', metadataText(channel.metadata)],
      ]}
    />
  );
}

/** One user's status, session, channels, attributes and metadata; one channel's members and attributes. */
export function Lookups({ api, appId }: { api: AdminClient; appId: string }) {
  const [uid, setUid] = useState('');
  const [channel, setChannel] = useState('');
  const [user, setUser] = useState<UserLookup | null>(null);
  const [chan, setChan] = useState<ChannelLookup | null>(null);
  const { error, run } = useAction();
  return (
    <section class="panel" aria-labelledby="h-lookup">
      <h2 id="h-lookup">Look up</h2>
      {!appId && <p class="muted">Enter or select an app first.</p>}
      <Alert>{error}</Alert>
      <form onSubmit={onSubmit(() => uid.trim() && void run(async () => setUser(await api.user(appId, uid.trim()))))}>
        <Field id="op-lookup-uid" label="User to look up" value={uid} onInput={setUid} />
        <button type="submit" disabled={!appId}>
          Look up user
        </button>
      </form>
      <div data-testid="user-lookup" aria-live="polite">
        {user && <UserResult user={user} />}
      </div>
      <form onSubmit={onSubmit(() => channel.trim() && void run(async () => setChan(await api.channel(appId, channel.trim()))))}>
        <Field id="op-lookup-channel" label="Channel to look up" value={channel} onInput={setChannel} />
        <button type="submit" disabled={!appId}>
          Look up channel
        </button>
      </form>
      <div aria-live="polite">
        {chan && (
          <div data-testid="channel-lookup">
            <ChannelResult channel={chan} />
          </div>
        )}
      </div>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { parseList } from '../format';
import { Field, KeyValues, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import type { PlaygroundState } from './state';

/** Online status: subscriptions (live PeersOnlineStatusChanged) and one-off queries. */
export function Presence({ session, s }: { session: PlaygroundSession; s: PlaygroundState }) {
  const [peers, setPeers] = useState('');
  const list = () => parseList(peers);
  return (
    <section aria-labelledby="h-presence" class="panel">
      <h2 id="h-presence">Online status</h2>
      <form onSubmit={onSubmit(() => list().length > 0 && void session.subscribe(list()))}>
        <Field id="pg-peers" label="Users (comma-separated)" value={peers} onInput={setPeers} />
        <div class="row">
          <button type="submit">Subscribe</button>
          <button type="button" onClick={() => list().length > 0 && void session.unsubscribe(list())}>
            Unsubscribe
          </button>
          <button type="button" onClick={() => list().length > 0 && void session.query(list())}>
            Query
          </button>
        </div>
      </form>
      <div aria-live="polite" data-testid="peer-statuses">
        <KeyValues
          label="Online status"
          entries={Object.entries(s.statuses)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([uid, status]) => [uid, <span class={`status ${status.toLowerCase()}`}>{status}</span>])}
        />
      </div>
    </section>
  );
}

/** The local user's attributes (set / add / delete / clear) and another user's. */
export function UserAttributes({ session, s }: { session: PlaygroundSession; s: PlaygroundState }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [other, setOther] = useState('');
  const entries = (m: Record<string, string>) => Object.entries(m).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="h-attributes" class="panel">
      <h2 id="h-attributes">User attributes</h2>
      <form onSubmit={onSubmit(() => key && void session.localAttributes('set', key, value))}>
        <Field id="pg-ukey" label="Attribute key" value={key} onInput={setKey} />
        <Field id="pg-uvalue" label="Attribute value" value={value} onInput={setValue} />
        <div class="row">
          <button type="submit">Set my attribute</button>
          <button type="button" onClick={() => key && void session.localAttributes('replace', key, value)} disabled={!key}>
            Replace my attributes
          </button>
          <button type="button" onClick={() => key && void session.localAttributes('delete', key)} disabled={!key}>
            Delete my attribute
          </button>
          <button type="button" onClick={() => void session.localAttributes('clear')}>
            Clear my attributes
          </button>
        </div>
      </form>
      <KeyValues label="My attributes" entries={entries(s.localAttributes)} />
      <form onSubmit={onSubmit(() => other.trim() && void session.getPeerAttributes(other.trim()))}>
        <Field id="pg-uother" label="Another user" value={other} onInput={setOther} />
        <button type="submit">Get attributes</button>
      </form>
      {s.peerAttributes && (
        <KeyValues
          label={`Attributes of ${s.peerAttributes.uid}`}
          empty={`${s.peerAttributes.uid} has no attributes.`}
          entries={entries(s.peerAttributes.attributes)}
        />
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import { formatTime } from '../format';
import { Check, Field, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import type { PlaygroundState, SentMessage } from './state';

const resultClass = (result: string) => (result.startsWith('Failed') ? 'badge bad' : result === 'PEER_RECEIVED' ? 'badge good' : 'badge');

/** One sent peer message and its delivery result. */
export function SentItem({ m }: { m: SentMessage }) {
  return (
    <li data-testid="sent-message">
      <span class="muted">to {m.to}:</span> {m.text} <span class={resultClass(m.result)}>{m.result}</span>
    </li>
  );
}

/** Peer messages: send with the offline / history options, see each result, and what others sent. */
export function PeerChat({ session, s, peer, setPeer }: { session: PlaygroundSession; s: PlaygroundState; peer: string; setPeer: (v: string) => void }) {
  const [text, setText] = useState('');
  const [offline, setOffline] = useState(false);
  const [history, setHistory] = useState(false);
  return (
    <section aria-labelledby="h-peer" class="panel">
      <h2 id="h-peer">Peer messages</h2>
      <form
        onSubmit={onSubmit(() => {
          if (!text) return;
          void session.sendPeer(peer.trim(), text, offline, history);
          setText('');
        })}
      >
        <Field id="pg-peer" label="Peer ID" value={peer} onInput={setPeer} />
        <Field id="pg-message" label="Message" value={text} onInput={setText} />
        <Check id="pg-offline" label="Offline messaging" checked={offline} onChange={setOffline} />
        <Check id="pg-history" label="Historical messaging" checked={history} onChange={setHistory} />
        <button type="submit">Send</button>
      </form>
      <h3 id="h-sent">Sent</h3>
      <ul class="log" aria-labelledby="h-sent" aria-live="polite">
        {s.sent.map((m) => (
          <SentItem key={m.key} m={m} />
        ))}
      </ul>
      <h3 id="h-received">Received</h3>
      <ul class="log" aria-labelledby="h-received" aria-live="polite">
        {s.received.map((m) => (
          <li key={m.key} data-testid="peer-message">
            <time class="muted" dateTime={new Date(m.ts).toISOString()}>
              {formatTime(m.ts)}
            </time>{' '}
            <strong>{m.from}</strong>: {m.text} {m.offline && <span class="badge">offline</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

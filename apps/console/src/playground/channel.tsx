import { useState } from 'preact/hooks';
import { formatTime } from '../format';
import { Check, Field, KeyValues, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import type { ChannelState, PlaygroundState } from './state';

function Attributes({ session, c }: { session: PlaygroundSession; c: ChannelState }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  return (
    <>
      <h3>Channel attributes</h3>
      <form onSubmit={onSubmit(() => key && void session.channelAttributes('set', key, value))}>
        <Field id="pg-chkey" label="Channel attribute key" value={key} onInput={setKey} />
        <Field id="pg-chvalue" label="Channel attribute value" value={value} onInput={setValue} />
        <div class="row">
          <button type="submit">Set channel attribute</button>
          <button type="button" onClick={() => key && void session.channelAttributes('replace', key, value)} disabled={!key}>
            Replace channel attributes
          </button>
          <button type="button" onClick={() => key && void session.channelAttributes('delete', key)} disabled={!key}>
            Delete channel attribute
          </button>
          <button type="button" onClick={() => void session.channelAttributes('clear')}>
            Clear channel attributes
          </button>
        </div>
      </form>
      <p class="muted">Set adds or updates this key; Replace makes it the channel&apos;s only attribute.</p>
      <div aria-live="polite" data-testid="channel-attributes">
        <KeyValues
          label={`Attributes of ${c.name}`}
          empty="No channel attributes."
          entries={Object.entries(c.attributes)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, a]) => [
              k,
              <>
                {a.value}{' '}
                <span class="muted">
                  by {a.lastUpdateUserId} at {formatTime(a.lastUpdateTs)}
                </span>
              </>,
            ])}
        />
      </div>
    </>
  );
}

/** One channel: join / leave, members, count, messages and attributes, all live. */
export function Channel({ session, s }: { session: PlaygroundSession; s: PlaygroundState }) {
  const [name, setName] = useState('');
  const [text, setText] = useState('');
  const [history, setHistory] = useState(false);
  const c = s.channel;
  return (
    <section aria-labelledby="h-channel" class="panel">
      <h2 id="h-channel">Channel</h2>
      <form onSubmit={onSubmit(() => name.trim() && void session.join(name.trim()))}>
        <Field id="pg-channel" label="Channel" value={name} onInput={setName} />
        <div class="row">
          <button type="submit">Join</button>
          <button type="button" onClick={() => void session.leave()} disabled={!c}>
            Leave
          </button>
        </div>
      </form>
      {c && (
        <>
          <div class="row">
            <p aria-live="polite">
              {c.joined ? 'Joined' : 'Joining'} <strong>{c.name}</strong> · <span data-testid="member-count">{c.count ?? '…'}</span> members
            </p>
            <button type="button" class="small" onClick={() => void session.refreshCount()} disabled={!c.joined}>
              Get member count
            </button>
          </div>
          <ul data-testid="channel-members" class="chips" aria-label={`Members of ${c.name}`}>
            {c.members.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <form
            onSubmit={onSubmit(() => {
              if (!text) return;
              void session.sendChannel(text, history);
              setText('');
            })}
          >
            <Field id="pg-chmessage" label="Channel message" value={text} onInput={setText} />
            <Check id="pg-chhistory" label="Keep in channel history" checked={history} onChange={setHistory} />
            <button type="submit">Send to channel</button>
          </form>
          <ul class="log" aria-live="polite" aria-label={`Messages in ${c.name}`}>
            {c.messages.map((m) => (
              <li key={m.key} data-testid="channel-message">
                <time class="muted" dateTime={new Date(m.ts).toISOString()}>
                  {formatTime(m.ts)}
                </time>{' '}
                <strong>{m.from}</strong>: {m.text}
              </li>
            ))}
          </ul>
          <Attributes session={session} c={c} />
        </>
      )}
    </section>
  );
}

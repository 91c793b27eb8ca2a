import { useState } from 'preact/hooks';
import { Field, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import type { PlaygroundState } from './state';

/**
 * Call invitations. The caller's `invitation-state` shows the SDK's LocalInvitationState
 * (SENT_TO_REMOTE, RECEIVED_BY_REMOTE, ACCEPTED_BY_REMOTE, REFUSED_BY_REMOTE, CANCELED,
 * FAILURE: <reason>); the callee's `incoming-state` its RemoteInvitationState.
 */
export function Invitations({ session, s }: { session: PlaygroundSession; s: PlaygroundState }) {
  const [callee, setCallee] = useState('');
  const [content, setContent] = useState('');
  const [channelId, setChannelId] = useState('');
  const [response, setResponse] = useState('');
  const inc = s.incoming;
  return (
    <section aria-labelledby="h-calls" class="panel">
      <h2 id="h-calls">Call invitations</h2>
      <form onSubmit={onSubmit(() => callee.trim() && void session.call(callee.trim(), content, channelId.trim()))}>
        <Field id="pg-callee" label="Callee" value={callee} onInput={setCallee} />
        <Field id="pg-callcontent" label="Invitation content" value={content} onInput={setContent} />
        <Field id="pg-callchannel" label="Call channel" value={channelId} onInput={setChannelId} />
        <div class="row">
          <button type="submit">Call</button>
          <button type="button" onClick={() => void session.cancelCall()} disabled={!s.outgoing}>
            Cancel call
          </button>
        </div>
      </form>
      <p aria-live="polite">
        {s.outgoing && (
          <>
            Calling {s.outgoing.callee}: <strong data-testid="invitation-state">{s.outgoing.state}</strong>
          </>
        )}
      </p>
      <div aria-live="polite">
        {inc && (
          <div data-testid="incoming-invitation" class="incoming" role="group" aria-label={`Call from ${inc.caller}`}>
            <p>
              Call from <strong>{inc.caller}</strong>
              {inc.content && <> “{inc.content}”</>}
              {inc.channelId && <span class="muted"> (channel {inc.channelId})</span>}: <strong data-testid="incoming-state">{inc.state}</strong>
            </p>
            {inc.state === 'INVITATION_RECEIVED' && (
              <form onSubmit={onSubmit(() => void session.answer(true, response))}>
                <Field id="pg-callresponse" label="Response" value={response} onInput={setResponse} />
                <div class="row">
                  <button type="submit">Accept</button>
                  <button type="button" onClick={() => void session.answer(false, response)}>
                    Refuse
                  </button>
                </div>
              </form>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

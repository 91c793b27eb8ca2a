import { useState } from 'preact/hooks';
import { AdminClient } from '../api/admin-client';
import { describeError } from '../format';
import { Alert, Field, onSubmit } from '../ui';
import type { PlaygroundSession } from './session';
import { isLoggedIn, type PlaygroundState } from './state';

export interface ConnectionProps {
  session: PlaygroundSession;
  s: PlaygroundState;
  gatewayUrls: string[];
  demoAppId: string | null;
  /** The admin API, when Settings has a token: enables "Mint token". */
  admin: AdminClient | null;
}

/** Gateway, app, user and token; Log in / Log out; the live connection state. */
export function Connection({ session, s, gatewayUrls, demoAppId, admin }: ConnectionProps) {
  const [gateway, setGateway] = useState(gatewayUrls.join(', '));
  const [appId, setAppId] = useState(demoAppId ?? '');
  const [uid, setUid] = useState('');
  const [token, setToken] = useState('');
  const [minted, setMinted] = useState<string | null>(null);
  const [mintError, setMintError] = useState<string | null>(null);
  const loggedIn = isLoggedIn(s);

  const mint = async () => {
    if (!admin) return;
    setMintError(null);
    setMinted(null);
    try {
      const answer = await admin.mintToken(appId.trim(), uid.trim());
      setToken(answer.token);
      setMinted(`Token ${answer.format} for ${answer.uid}, valid until ${new Date(answer.expiresAt).toLocaleString()}.`);
    } catch (err) {
      setMintError(`Mint token failed: ${describeError(err)}`);
    }
  };

  return (
    <section aria-labelledby="h-connection" class="panel">
      <h2 id="h-connection">Connection</h2>
      <form onSubmit={onSubmit(() => void session.login(gateway, appId.trim(), uid.trim(), token.trim()))}>
        <Field id="pg-gateway" label="Gateway URL" value={gateway} onInput={setGateway} placeholder="ws://127.0.0.1:8080/v1/ws" />
        <Field id="pg-app" label="App ID" value={appId} onInput={setAppId} placeholder="32 hex digits" />
        <Field id="pg-uid" label="User ID" value={uid} onInput={setUid} />
        <Field id="pg-token" label="Token" value={token} onInput={setToken} placeholder="certified apps only" />
        <div class="row">
          <button type="submit">Log in</button>
          <button type="button" onClick={() => void session.logout()} disabled={!loggedIn}>
            Log out
          </button>
          {admin && (
            <button type="button" onClick={() => void mint()} disabled={!appId.trim() || !uid.trim()}>
              Mint token
            </button>
          )}
          {loggedIn && (
            <button type="button" onClick={() => void session.renewToken(token.trim())} disabled={!token.trim()}>
              Renew token
            </button>
          )}
        </div>
      </form>
      <Alert>{mintError}</Alert>
      {minted && <p class="muted">{minted}</p>}
      <p aria-live="polite" class="state">
        State: <strong data-testid="connection-state">{s.connection}</strong>
        {s.reason && <span class="muted"> ({s.reason})</span>}
        {s.uid && loggedIn && <span class="muted"> as {s.uid}</span>}
        {s.notice && <span class="notice"> {s.notice}</span>}
      </p>
    </section>
  );
}

import { useState } from 'preact/hooks';
import type { AdminClient } from '../api/admin-client';
import { Field } from '../ui';
import { Apps } from './apps';
import { LiveCounts } from './live-counts';
import { Lookups } from './lookups';
import { Webhooks } from './webhooks';

/** App ids are 32 letters or digits: counts and webhooks ask for one only when it is complete. */
const APP_ID = /^[0-9A-Za-z]{32}$/;

/** The operator's view through the server API's admin endpoints (needs the admin token). */
export function Operator({ api, apiUrl }: { api: AdminClient | null; apiUrl: string | null }) {
  const [appId, setAppId] = useState('');
  if (!apiUrl)
    return (
      <p role="alert" class="error">
        No server API is configured: set CONSOLE_API_URL on the gateway, or an API URL in Settings.
      </p>
    );
  if (!api)
    return (
      <p role="alert" class="error">
        Enter the admin token (the api&apos;s ADMIN_TOKEN) in Settings; it is kept in this tab only.
      </p>
    );
  const id = appId.trim();
  return (
    <div class="grid">
      <section class="panel wide" aria-labelledby="h-app">
        <h2 id="h-app">App</h2>
        <p class="muted">
          Server API: <code>{apiUrl}</code>. Counts below are of every app until an app ID is entered.
        </p>
        <Field id="op-app" label="Operator app ID" value={appId} onInput={setAppId} placeholder="all apps" />
      </section>
      <LiveCounts api={api} appId={APP_ID.test(id) ? id : ''} />
      <Apps api={api} appId={id} setAppId={setAppId} />
      <Lookups api={api} appId={id} />
      <Webhooks api={api} appId={APP_ID.test(id) ? id : ''} />
    </div>
  );
}

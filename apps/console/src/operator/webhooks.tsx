import { useEffect, useState } from 'preact/hooks';
import type { AdminClient, Webhook, WebhookFailure } from '../api/admin-client';
import { Alert } from '../ui';
import { useAction } from './use-action';

function Failures({ api, appId, hook }: { api: AdminClient; appId: string; hook: Webhook }) {
  const [failures, setFailures] = useState<WebhookFailure[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const { error, run } = useAction();
  const load = (after?: string | null) =>
    run(async () => {
      const page = await api.failures(appId, hook.id, after);
      setFailures((old) => (after ? [...old, ...page.failures] : page.failures));
      setNext(page.next);
    });
  useEffect(() => void load(), [api, appId, hook.id]);
  const replay = (ids?: number[]) =>
    run(async () => {
      const { replayed } = await api.replay(appId, hook.id, ids);
      setNote(`${replayed} ${replayed === 1 ? 'delivery' : 'deliveries'} queued again.`);
      await load();
    });
  return (
    <div data-testid="webhook-failures">
      <h3>
        Dead deliveries of <code>{hook.url}</code>
      </h3>
      <Alert>{error}</Alert>
      <div class="row">
        <button type="button" disabled={failures.length === 0} onClick={() => void replay()}>
          Replay
        </button>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      <p aria-live="polite">{note}</p>
      {failures.length === 0 && <p class="muted">None.</p>}
      <ul class="log">
        {failures.map((f) => (
          <li key={f.id}>
            <strong>{f.eventType}</strong> · {f.attempts} attempts · {f.lastStatus !== null ? `HTTP ${f.lastStatus}` : (f.lastError ?? '')}{' '}
            <span class="muted">
              {new Date(f.createdAt).toLocaleString()} · {f.noticeId}
            </span>{' '}
            <button type="button" class="small" aria-label={`Replay delivery ${f.id}`} onClick={() => void replay([f.id])}>
              Replay this
            </button>
            {f.body && (
              <details>
                <summary>Body</summary>
                <pre>{f.body}</pre>
              </details>
            )}
          </li>
        ))}
      </ul>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          More failures
        </button>
      )}
    </div>
  );
}

/** The app's webhook endpoints; a selected one's dead deliveries with Replay. */
export function Webhooks({ api, appId }: { api: AdminClient; appId: string }) {
  const [hooks, setHooks] = useState<Webhook[]>([]);
  const [selected, setSelected] = useState<Webhook | null>(null);
  const [ping, setPing] = useState<string | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    setSelected(null);
    setHooks([]);
    setPing(null);
    if (appId) void run(async () => setHooks((await api.webhooks(appId)).webhooks));
  }, [api, appId]);
  const test = (hook: Webhook) =>
    run(async () => {
      const r = await api.testWebhook(appId, hook.id);
      setPing(`${hook.url}: ${r.ok ? 'OK' : 'failed'} — ${r.status !== null ? `HTTP ${r.status}` : (r.error ?? 'no answer')} in ${r.durationMs} ms`);
    });
  return (
    <section class="panel" aria-labelledby="h-hooks">
      <h2 id="h-hooks">Webhooks</h2>
      {!appId && <p class="muted">Enter or select an app first.</p>}
      <Alert>{error}</Alert>
      {appId && hooks.length === 0 && !error && <p class="muted">No webhook endpoints for this app.</p>}
      <ul class="log">
        {hooks.map((h) => (
          <li key={h.id} class={selected?.id === h.id ? 'selected' : undefined}>
            <code>{h.url}</code> {!h.enabled && <span class="badge">disabled</span>}{' '}
            <span class="muted">{h.eventTypes.length > 0 ? h.eventTypes.join(', ') : 'default events'}</span>
            <div class="row">
              <button type="button" aria-pressed={selected?.id === h.id} aria-label={`Failures of ${h.url}`} onClick={() => setSelected(h)}>
                Failures
              </button>
              <button type="button" aria-label={`Send a test ping to ${h.url}`} onClick={() => void test(h)}>
                Test ping
              </button>
            </div>
          </li>
        ))}
      </ul>
      <p aria-live="polite">{ping}</p>
      {selected && <Failures key={selected.id} api={api} appId={appId} hook={selected} />}
    </section>
  );
}

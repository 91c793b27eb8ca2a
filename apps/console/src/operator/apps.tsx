import { useEffect, useState } from 'preact/hooks';
import type { AdminClient, AppInfo } from '../api/admin-client';
import { Alert, Check, Field, onSubmit } from '../ui';
import { useAction } from './use-action';

/** Apps: the list (paged), create (static or certified; the certificate is shown once), rotate a certificate. */
export function Apps({ api, appId, setAppId }: { api: AdminClient; appId: string; setAppId: (id: string) => void }) {
  const [apps, setApps] = useState<AppInfo[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [certified, setCertified] = useState(true);
  const [overlap, setOverlap] = useState('86400');
  const [secret, setSecret] = useState<string | null>(null);
  const { error, run } = useAction();
  const load = (after?: string | null) =>
    run(async () => {
      const page = await api.listApps(after);
      setApps((old) => (after ? [...old, ...page.apps] : page.apps));
      setNext(page.next);
    });
  useEffect(() => void load(), [api]);

  const create = () =>
    run(async () => {
      const app = await api.createApp(name.trim(), certified);
      setSecret(app.certificate ? `App ${app.appId}: certificate ${app.certificate} (shown only now; keep it)` : `Static app ${app.appId} created.`);
      setName('');
      setAppId(app.appId);
      await load();
    });
  const rotate = (id: string) =>
    run(async () => {
      const seconds = Number(overlap);
      const app = await api.rotateCertificate(id, Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined);
      const until = app.previousCertificateValidUntil
        ? `; the old one verifies tokens until ${new Date(app.previousCertificateValidUntil).toLocaleString()}`
        : '';
      setSecret(`App ${id}: new certificate ${app.certificate ?? '?'} (shown only now)${until}.`);
    });

  return (
    <section class="panel wide" aria-labelledby="h-apps">
      <h2 id="h-apps">Apps</h2>
      <Alert>{error}</Alert>
      <form onSubmit={onSubmit(() => void create())}>
        <Field id="op-newapp" label="New app name" value={name} onInput={setName} />
        <Check id="op-newcert" label="Certified (tokens required)" checked={certified} onChange={setCertified} />
        <button type="submit">Create app</button>
      </form>
      <div aria-live="polite">
        {secret && (
          <p class="notice" data-testid="app-secret">
            <code>{secret}</code>
          </p>
        )}
      </div>
      <Field id="op-overlap" label="Rotation overlap (seconds)" type="number" value={overlap} onInput={setOverlap} />
      <div class="table">
        <table>
          <caption class="visually-hidden">Apps</caption>
          <thead>
            <tr>
              <th scope="col">App ID</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {apps.map((a) => (
              <tr key={a.appId} class={a.appId === appId ? 'selected' : undefined}>
                <td>
                  <code>{a.appId}</code>
                </td>
                <td>{a.name ?? ''}</td>
                <td>{a.certified ? 'certified' : 'static'}</td>
                <td>
                  <div class="row">
                    <button type="button" aria-pressed={a.appId === appId} aria-label={`Select ${a.appId}`} onClick={() => setAppId(a.appId)}>
                      Select
                    </button>
                    {a.certified && (
                      <button type="button" aria-label={`Rotate certificate of ${a.appId}`} onClick={() => void rotate(a.appId)}>
                        Rotate certificate
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && (
        <button type="button" onClick={() => void load(next)}>
          More apps
        </button>
      )}
    </section>
  );
}

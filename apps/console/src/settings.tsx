import type { AdminSettings, ConsoleConfig } from './config';
import { Field } from './ui';

/** The admin token and an API URL override, saved (for this tab only) as they are typed. */
export function Settings({ config, settings, onChange }: { config: ConsoleConfig; settings: AdminSettings; onChange: (s: AdminSettings) => void }) {
  return (
    <section class="panel narrow" aria-labelledby="h-settings">
      <h2 id="h-settings">Settings</h2>
      <form onSubmit={(e) => e.preventDefault()}>
        <Field
          id="settings-token"
          label="Admin token"
          type="password"
          value={settings.token}
          onInput={(token) => onChange({ ...settings, token })}
          autoComplete="off"
        />
        <Field
          id="settings-api"
          label="API URL"
          type="url"
          value={settings.apiUrl}
          onInput={(apiUrl) => onChange({ ...settings, apiUrl })}
          placeholder={config.apiUrl ?? 'http://127.0.0.1:8090'}
        />
      </form>
      <p class="muted">
        The admin token is the server API&apos;s <code>ADMIN_TOKEN</code>. It enables the Operator tab and &quot;Mint token&quot;, and is kept in this browser
        tab only (sessionStorage): closing the tab forgets it. The API URL defaults to the gateway&apos;s <code>CONSOLE_API_URL</code> (
        {config.apiUrl ?? 'not set'}); another one must also be allowed by the page&apos;s Content-Security-Policy.
      </p>
      <p class="muted">
        Gateways: {config.gatewayUrls.join(', ')} · SDK {config.version ?? 'version unknown'}
      </p>
    </section>
  );
}

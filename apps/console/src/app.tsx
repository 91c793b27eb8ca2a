import type { TargetedKeyboardEvent } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AdminClient } from './api/admin-client';
import { apiUrlOf, loadAdminSettings, loadConfig, saveAdminSettings, type AdminSettings, type ConsoleConfig } from './config';
import { Operator } from './operator/operator';
import { Playground } from './playground/playground';
import { PlaygroundSession } from './playground/session';
import { Settings } from './settings';
import { nextTab } from './tabs';

const TABS = ['Playground', 'Operator', 'Settings'] as const;
type Tab = (typeof TABS)[number];

/** The console: three tabs (the WAI-ARIA tabs pattern: arrow keys, Home, End). The playground stays mounted across tabs. */
export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [tab, setTab] = useState<Tab>('Playground');
  const [settings, setSettings] = useState<AdminSettings>(() => loadAdminSettings());
  const session = useMemo(() => new PlaygroundSession(), []);
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  useEffect(() => void loadConfig().then(setConfig), []);

  const apiUrl = config ? apiUrlOf(settings, config) : null;
  const admin = useMemo(() => (apiUrl && settings.token ? new AdminClient(apiUrl, settings.token) : null), [apiUrl, settings.token]);

  const changeSettings = (next: AdminSettings) => {
    saveAdminSettings(next);
    setSettings(next);
  };
  const onKey = (e: TargetedKeyboardEvent<HTMLDivElement>) => {
    const next = nextTab(TABS, tab, e.key);
    if (!next) return;
    e.preventDefault();
    setTab(next);
    tabRefs.current[next]?.focus();
  };

  if (!config) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <header>
        <h1>Parley console</h1>
        <div role="tablist" aria-label="Views" onKeyDown={onKey}>
          {TABS.map((t) => (
            <button
              key={t}
              type="button"
              ref={(el) => void (tabRefs.current[t] = el)}
              role="tab"
              id={`tab-${t}`}
              aria-selected={tab === t}
              aria-controls={`panel-${t}`}
              tabIndex={tab === t ? 0 : -1}
              onClick={() => setTab(t)}
            >
              {t}
            </button>
          ))}
        </div>
      </header>
      <main>
        {TABS.map((t) => (
          <div key={t} role="tabpanel" id={`panel-${t}`} aria-labelledby={`tab-${t}`} hidden={tab !== t} tabIndex={0}>
            {t === 'Playground' && <Playground session={session} config={config} admin={admin} />}
            {t === 'Operator' && tab === 'Operator' && <Operator api={admin} apiUrl={apiUrl} />}
            {t === 'Settings' && <Settings config={config} settings={settings} onChange={changeSettings} />}
          </div>
        ))}
      </main>
    </>
  );
}

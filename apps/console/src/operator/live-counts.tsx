import { useEffect, useRef, useState } from 'preact/hooks';
import type { AdminClient } from '../api/admin-client';
import { describeError } from '../format';
import { messageRates, type Rates, type Stats } from '../stats';
import { Alert } from '../ui';

/** How often the counts are polled. */
export const STATS_POLL_MS = 2_000;

function Count({ label, testId, value }: { label: string; testId: string; value: string | number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** Live counts of the cluster (or of one app), polled every 2 s; msg/s from two polls. */
export function LiveCounts({ api, appId }: { api: AdminClient; appId: string }) {
  const [stats, setStats] = useState<Stats | null>(null);
  const [rates, setRates] = useState<Rates>({ peer: 0, channel: 0 });
  const [error, setError] = useState<string | null>(null);
  const last = useRef<Stats | undefined>(undefined);
  useEffect(() => {
    last.current = undefined;
    setStats(null);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    // One request at a time: the next poll is planned when this one has answered.
    const poll = async () => {
      try {
        const next = await api.stats(appId || undefined);
        if (stopped) return;
        setRates(messageRates(last.current, next));
        last.current = next;
        setStats(next);
        setError(null);
      } catch (err) {
        if (!stopped) setError(describeError(err));
      }
      if (!stopped) timer = setTimeout(() => void poll(), STATS_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, appId]);
  return (
    <section class="panel wide" aria-labelledby="h-stats">
      <h2 id="h-stats">
        Live counts <span class="muted">{appId ? `of ${appId}` : '(all apps)'}</span>
      </h2>
      <Alert>{error}</Alert>
      {stats && (
        <>
          <dl class="stats">
            <Count label="Sessions online" testId="stats-sessions-online" value={stats.sessions.online} />
            <Count label="Unreachable" testId="stats-sessions-unreachable" value={stats.sessions.unreachable} />
            <Count label="Channels" testId="stats-channels" value={stats.channels} />
            <Count label="Members" testId="stats-members" value={stats.members} />
            <Count label="Peer msg/s" testId="stats-peer-rate" value={rates.peer.toFixed(1)} />
            <Count label="Channel msg/s" testId="stats-channel-rate" value={rates.channel.toFixed(1)} />
          </dl>
          <div class="table">
            <table data-testid="stats-gateways">
              <caption>
                Gateways: {stats.gateways.length} answered
                {stats.gatewaysKnown !== undefined && stats.gatewaysKnown > stats.gateways.length ? ` of ${stats.gatewaysKnown} known` : ''}
                <span class="muted"> · at {new Date(stats.at).toLocaleTimeString()}</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Gateway</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Connections</th>
                  <th scope="col">Messages (peer / channel)</th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {stats.gateways.map((g) => (
                  <tr key={g.id}>
                    <td>{g.id}</td>
                    <td>{g.sessions}</td>
                    <td>{g.connections ?? '—'}</td>
                    <td>
                      {g.messages.peer} / {g.messages.channel}
                    </td>
                    <td>{new Date(g.startedAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

import { Subjects } from '@parley/contracts/internal';
import { NatsBus } from '@parley/platform';
import { connect } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { RefreshedAppSet } from './refreshed-app-set';

/** Against NATS: the announcement of a capture-settings change (CaptureSettingsRelay publishes it). */
describe('RefreshedAppSet (NATS)', () => {
  it('given a bus, reads again when a change is announced on NATS, and ends its subscription at stop', async () => {
    const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
    const bus = new NatsBus(nc);
    const load = jest.fn<Promise<Iterable<string>>, []>().mockResolvedValueOnce([]).mockResolvedValue(['a']);
    const set = new RefreshedAppSet(load, jest.fn());
    const reads = async (n: number) => {
      for (let i = 0; i < 100 && load.mock.calls.length < n; i++) await sleep(20);
      return load.mock.calls.length;
    };
    try {
      await set.start(bus);
      await nc.flush(); // the subscription is on the server
      bus.publish(Subjects.captureSettingsChanged, {});
      expect(await reads(2)).toBeGreaterThanOrEqual(2);
      await reads(2);
      expect(set.has('a')).toBe(true);
      const unsubscribe = jest.spyOn(bus, 'unsubscribe');
      set.stop();
      // Its subscription is closed (a stopped set also ignores what it would still hear).
      const [sub] = unsubscribe.mock.calls[0] ?? [];
      expect(sub?.isClosed()).toBe(true);
    } finally {
      set.stop();
      await nc.close();
    }
  });
});

import { connect, Events, StorageType } from 'nats';
import { NatsServer } from './nats-server';
import { PostgresServer } from './postgres-server';
import { TcpProxy } from './tcp-proxy';
import { waitFor } from './wait';

/** The private servers and the cuttable link that fault tests build on. */
describe('fault-test servers', () => {
  it('NatsServer restarts on the same port: clients reconnect, memory streams are gone', async () => {
    const nats = await NatsServer.start({ jetstream: true });
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
    try {
      const events: string[] = [];
      void (async () => {
        for await (const s of nc.status()) events.push(s.type);
      })();
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'mem', subjects: ['mem.>'], storage: StorageType.Memory });
      await nats.restart();
      await waitFor(() => events.includes(Events.Reconnect), { what: `reconnect (saw ${events})` });
      await expect(jsm.streams.info('mem')).rejects.toThrow(/stream not found/);
      await nats.down(); // a longer outage: down() … up()
      expect(nats.running).toBe(false);
      await nats.up();
      await waitFor(() => events.filter((e) => e === Events.Reconnect).length === 2, { what: `second reconnect (saw ${events})` });
    } finally {
      await nc.close();
      await nats.stop();
    }
  });

  it('TcpProxy cuts every connection through it and refuses new ones until restored', async () => {
    const nats = await NatsServer.start();
    const proxy = await TcpProxy.start(nats.url);
    const nc = await connect({ servers: proxy.url(), maxReconnectAttempts: -1, reconnectTimeWait: 50, ignoreClusterUpdates: true });
    try {
      const events: string[] = [];
      void (async () => {
        for await (const s of nc.status()) events.push(s.type);
      })();
      expect(proxy.connections).toBe(1);
      proxy.cut();
      await waitFor(() => events.includes(Events.Disconnect), { what: 'disconnect' });
      await new Promise((r) => setTimeout(r, 200));
      expect(events).not.toContain(Events.Reconnect);
      proxy.restore();
      await waitFor(() => events.includes(Events.Reconnect), { what: `reconnect (saw ${events})` });
    } finally {
      await nc.close();
      await proxy.stop();
      await nats.stop();
    }
  });

  it("PostgresServer runs a private cluster with Parley's schema and survives a crash restart", async () => {
    const pg = await PostgresServer.start();
    try {
      await pg.createParleyDatabase('parley');
      await pg.query("INSERT INTO apps (id, updated_at) VALUES ('0123456789abcdef0123456789abcdef', now())");
      await pg.restart({ mode: 'immediate' });
      expect(await pg.query('SELECT id FROM apps')).toEqual([{ id: '0123456789abcdef0123456789abcdef' }]);
    } finally {
      await pg.stop();
    }
  }, 60_000);
});

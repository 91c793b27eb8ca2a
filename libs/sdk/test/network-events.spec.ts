import { DropReason, Op } from '@parley/contracts';
import { NetworkWatch } from '../src/connection/network-watch';
import { FakeGateway } from './fake-gateway';
import { createClient, delay, logoutAll, useFastTimers } from './helpers';

/** A browser-like global scope: addEventListener + navigator.onLine, on Node's globalThis for one test. */
class FakeBrowserScope {
  private readonly target = new EventTarget();
  private readonly listeners = new Map<string, number>();
  private readonly navigatorBefore = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

  install(): void {
    const g = globalThis as unknown as Record<string, unknown>;
    g['addEventListener'] = (type: string, fn: () => void) => {
      this.listeners.set(type, (this.listeners.get(type) ?? 0) + 1);
      this.target.addEventListener(type, fn);
    };
    g['removeEventListener'] = (type: string, fn: () => void) => {
      this.listeners.set(type, (this.listeners.get(type) ?? 0) - 1);
      this.target.removeEventListener(type, fn);
    };
    Object.defineProperty(globalThis, 'navigator', { value: { onLine: true }, configurable: true });
  }

  uninstall(): void {
    const g = globalThis as unknown as Record<string, unknown>;
    delete g['addEventListener'];
    delete g['removeEventListener'];
    if (this.navigatorBefore) Object.defineProperty(globalThis, 'navigator', this.navigatorBefore);
  }

  fire(type: 'online' | 'offline'): void {
    this.target.dispatchEvent(new Event(type));
  }

  listening(type: string): number {
    return this.listeners.get(type) ?? 0;
  }
}

describe('NetworkWatch', () => {
  it('does nothing where there is no browser scope (Node)', () => {
    const hints = { offline: jest.fn(), online: jest.fn() };
    const watch = new NetworkWatch(hints, {});
    expect(() => watch.start()).not.toThrow();
    watch.stop();
    expect(() => new NetworkWatch(hints).start()).not.toThrow(); // Node's own globalThis
  });

  it('needs navigator.onLine besides addEventListener', () => {
    const scope = { addEventListener: jest.fn(), removeEventListener: jest.fn(), navigator: {} };
    new NetworkWatch({ offline: jest.fn(), online: jest.fn() }, scope).start();
    expect(scope.addEventListener).not.toHaveBeenCalled();
  });

  it('relays offline/online while started, once, and removes both listeners on stop', () => {
    const target = new EventTarget();
    const add = jest.spyOn(target, 'addEventListener');
    const remove = jest.spyOn(target, 'removeEventListener');
    const scope = Object.assign(target, { navigator: { onLine: true } });
    const hints = { offline: jest.fn(), online: jest.fn() };
    const watch = new NetworkWatch(hints, scope);
    watch.start();
    watch.start();
    expect(add).toHaveBeenCalledTimes(2);
    target.dispatchEvent(new Event('offline'));
    target.dispatchEvent(new Event('online'));
    expect(hints.offline).toHaveBeenCalledTimes(1);
    expect(hints.online).toHaveBeenCalledTimes(1);
    watch.stop();
    expect(remove).toHaveBeenCalledTimes(2);
    target.dispatchEvent(new Event('offline'));
    expect(hints.offline).toHaveBeenCalledTimes(1);
  });
});

describe("the browser's offline / online events", () => {
  let gw: FakeGateway;
  let scope: FakeBrowserScope;

  beforeEach(async () => {
    useFastTimers();
    scope = new FakeBrowserScope();
    scope.install();
    gw = await FakeGateway.start();
  });
  afterEach(async () => {
    await logoutAll();
    await gw.close();
    scope.uninstall();
    useFastTimers();
  });

  it('offline: drops a socket the browser kept open at once (RECONNECTING / INTERRUPTED), then resumes', async () => {
    const { client, states, reach } = createClient(gw.url);
    await client.login({ uid: 'alice' });
    const first = gw.last;
    states.length = 0;
    scope.fire('offline');
    expect(states).toEqual(['RECONNECTING/INTERRUPTED']);
    await gw.until(() => first.ws.readyState === first.ws.CLOSED, 2000, 'the client closed its socket');
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(gw.logins.map((l) => [l.reconnect, l.instanceId])).toEqual([
      [false, client.instanceId],
      [true, client.instanceId],
    ]);
  });

  it('online: retries at once instead of waiting out the backoff', async () => {
    useFastTimers({ backoffInitialMs: 60_000, backoffMaxMs: 60_000 });
    const { client, states, reach } = createClient(gw.url);
    await client.login({ uid: 'bob' });
    states.length = 0;
    gw.last.kill();
    await reach('RECONNECTING', 'INTERRUPTED');
    await delay(50);
    expect(gw.logins).toHaveLength(1); // waiting: the first delay is at least 30 s
    scope.fire('online');
    await reach('CONNECTED', 'LOGIN_SUCCESS');
    expect(gw.logins.map((l) => l.reconnect)).toEqual([false, true]);
  });

  it('online wakes a login waiting between attempts too', async () => {
    useFastTimers({ backoffInitialMs: 60_000, backoffMaxMs: 60_000, loginTimeoutMs: 30_000 });
    let refuse = 1;
    const login = gw.handlers[Op.LOGIN]!;
    gw.handlers[Op.LOGIN] = (conn, args, id) => {
      if (refuse-- > 0) {
        conn.kill();
        return undefined;
      }
      return login(conn, args, id);
    };
    const { client } = createClient(gw.url);
    const loggedIn = client.login({ uid: 'carol' });
    await gw.until(() => gw.connections.length === 1 && gw.connections[0]!.ws.readyState === gw.connections[0]!.ws.CLOSED, 2000, 'first attempt');
    await delay(50);
    scope.fire('online');
    await loggedIn;
    expect(gw.connections).toHaveLength(2);
  });

  it('listens only while a session exists: logout removes the listeners, offline then does nothing', async () => {
    const { client, states } = createClient(gw.url);
    expect(scope.listening('offline')).toBe(0);
    await client.login({ uid: 'dave' });
    expect([scope.listening('offline'), scope.listening('online')]).toEqual([1, 1]);
    await client.logout();
    expect([scope.listening('offline'), scope.listening('online')]).toEqual([0, 0]);
    states.length = 0;
    scope.fire('offline');
    scope.fire('online');
    await delay(20);
    expect(states).toEqual([]);
    // A second login listens again (once).
    await delay(150);
    await client.login({ uid: 'dave' });
    expect(scope.listening('offline')).toBe(1);
  });

  it('the session ending on its own (REMOTE_LOGIN) removes the listeners', async () => {
    const { client, reach } = createClient(gw.url);
    await client.login({ uid: 'erin' });
    gw.last.drop(DropReason.REMOTE_LOGIN);
    await reach('ABORTED', 'REMOTE_LOGIN');
    expect([scope.listening('offline'), scope.listening('online')]).toEqual([0, 0]);
  });
});

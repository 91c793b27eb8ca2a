import { ServerNats } from '@nestjs/microservices';
import { PrefixedNatsServer } from './prefixed-nats-server';

describe('PrefixedNatsServer', () => {
  const handler = Object.assign(async () => null, { isEventHandler: false });

  it('subscribes its handlers under the prefix', () => {
    const server = new PrefixedNatsServer({ servers: ['nats://127.0.0.1:1'] }, 'svc');
    server.addHandler('presence.register', handler);
    expect([...server.getHandlers().keys()]).toEqual(['svc.presence.register']);
    expect(server.getHandlerByPattern('svc.presence.register')).toBe(handler);
  });

  it("works out a subscription's route once, not per message (Nest's JSON.parse of a subject throws each time)", () => {
    const server = new PrefixedNatsServer({ servers: ['nats://127.0.0.1:1'] }, 'svc');
    server.addHandler('presence.register', handler);
    const route = jest.spyOn(ServerNats.prototype as unknown as { getRouteFromPattern(pattern: string): string }, 'getRouteFromPattern');
    const parse = jest.spyOn(JSON, 'parse');
    try {
      for (let i = 0; i < 5; i++) expect(server.getHandlerByPattern('svc.presence.register')).toBe(handler);
      expect(route).toHaveBeenCalledTimes(1);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      route.mockRestore();
      parse.mockRestore();
    }
  });

  it('keeps no route of a pattern without a handler (the kept set stays the subscriptions)', () => {
    const server = new PrefixedNatsServer({ servers: ['nats://127.0.0.1:1'] }, 'svc');
    server.addHandler('presence.register', handler);
    const route = jest.spyOn(ServerNats.prototype as unknown as { getRouteFromPattern(pattern: string): string }, 'getRouteFromPattern');
    try {
      for (let i = 0; i < 3; i++) expect(server.getHandlerByPattern(`svc.unknown.${i}`)).toBeNull();
      expect(server.getHandlerByPattern('svc.unknown.0')).toBeNull();
      expect(route).toHaveBeenCalledTimes(4);
    } finally {
      route.mockRestore();
    }
  });
});

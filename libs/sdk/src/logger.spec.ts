import { LOG_FILTER_ERROR, LOG_FILTER_INFO, LOG_FILTER_OFF, Logger, redact } from './logger';

function sink() {
  const lines: [string, unknown[]][] = [];
  const log =
    (level: string) =>
    (msg: string, ...args: unknown[]) =>
      void lines.push([`${level} ${msg}`, args]);
  return { lines, console: { error: log('E'), warn: log('W'), info: log('I'), debug: log('D') } };
}

describe('Logger', () => {
  it('prefixes [parley] and filters by logFilter', () => {
    const s = sink();
    const log = new Logger('abcdef0123456789', s.console);
    log.setFilter(LOG_FILTER_ERROR);
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    expect(s.lines.map((l) => l[0])).toEqual(['E [parley] abcdef01: e']);
    log.setFilter(LOG_FILTER_INFO);
    log.uid = 'alice';
    log.info('hi');
    expect(s.lines.at(-1)?.[0]).toBe('I [parley] abcdef01 alice: hi');
    log.setFilter(LOG_FILTER_OFF);
    log.error('nothing');
    expect(s.lines).toHaveLength(2);
  });

  it('masks tokens in logged values', () => {
    expect(redact({ uid: 'a', token: 'xyz', nested: { accessToken: 'q' } })).toEqual({ uid: 'a', token: '***', nested: { accessToken: '***' } });
    expect(redact('007eJxTYKh4etzfbc91gfZzxsZ5+y6WrPEtuFmnolO8XrPEb73y')).toBe('***');
    expect(redact('hello')).toBe('hello');
  });
});

import { isPrivateAddress, webhookUrlProblem } from './webhook-url.rules';

const strict = { allowHttp: false, allowPrivate: false };

describe('webhookUrlProblem', () => {
  it('accepts an absolute https URL with a public host, port, path and query', () => {
    expect(webhookUrlProblem('https://backend.example.com:8443/hooks/parley?x=1', strict)).toBeNull();
    expect(webhookUrlProblem('https://93.184.216.34/hook', strict)).toBeNull();
  });

  it.each([
    ['/relative', 'must be an absolute http(s) URL'],
    ['not a url', 'must be an absolute http(s) URL'],
    ['ftp://example.com/x', 'must be an absolute http(s) URL'],
    ['javascript:alert(1)', 'must be an absolute http(s) URL'],
    ['http://example.com/hook', 'must be https://'],
    ['https://user:pw@example.com/hook', 'must not contain credentials'],
    ['https://user@example.com/hook', 'must not contain credentials'],
    [`https://example.com/${'a'.repeat(2048)}`, 'at most 2048 characters'],
  ])('refuses %s', (url, problem) => {
    expect(webhookUrlProblem(url, strict)).toContain(problem);
  });

  it.each([
    'https://127.0.0.1/x',
    'https://localhost:8080/x',
    'https://api.localhost/x',
    'https://[::1]/x',
    'https://10.1.2.3/x',
    'https://169.254.169.254/latest',
  ])('refuses the private address literal %s unless private addresses are allowed', (url) => {
    expect(webhookUrlProblem(url, strict)).toContain('WEBHOOK_ALLOW_PRIVATE');
    expect(webhookUrlProblem(url, { allowHttp: false, allowPrivate: true })).toBeNull();
  });

  it('accepts http only when allowed', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9999/hook', { allowHttp: true, allowPrivate: true })).toBeNull();
    expect(webhookUrlProblem('http://example.com/hook', { allowHttp: true, allowPrivate: false })).toBeNull();
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    'fc12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    'ff02::1',
    'not-an-ip',
  ])('%s is private (or not an address)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '192.169.0.1', '::ffff:8.8.8.8', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])(
    '%s is public',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );
});

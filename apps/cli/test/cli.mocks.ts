import type { AppId } from '@parley/contracts';
import type { AppRecord, AppsRepository } from '../src/apps.repository';
import type { CliDeps } from '../src/cli';
import type { CustomerRecord, CustomersRepository } from '../src/customers.repository';
import type { WebhookRecord, WebhooksRepository } from '../src/webhooks.repository';

type Mocked<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : never };

/** Strict mock: every method throws unless a test gives it a behaviour, so an unexpected call fails the test. */
function strictMock<T>(what: string, methods: readonly (keyof T & string)[]): Mocked<T> {
  return Object.fromEntries(
    methods.map((name) => [
      name,
      jest.fn().mockImplementation(() => {
        throw new Error(`unexpected call: ${what}.${name}`);
      }),
    ]),
  ) as Mocked<T>;
}

export const newAppsRepositoryMock = () => strictMock<AppsRepository>('apps', ['create', 'find', 'list', 'rotateCertificate', 'removeCertificate', 'delete']);

export const newCustomersRepositoryMock = () => strictMock<CustomersRepository>('customers', ['create', 'list', 'revoke']);

export const newWebhooksRepositoryMock = () => strictMock<WebhooksRepository>('webhooks', ['create', 'list', 'remove', 'test', 'failures', 'replay']);

export function webhookRecord(over: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
    appId: '0123456789abcdef0123456789abcdef',
    url: 'https://backend.example.com/hook',
    eventTypes: [],
    includePayload: false,
    enabled: true,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    updatedAt: new Date('2026-11-25T10:00:00.000Z'),
    ...over,
  };
}

/** An app row; `certified` follows `certificate` unless given. */
export function appRecord(over: Partial<AppRecord> = {}): AppRecord {
  return {
    id: '0123456789abcdef0123456789abcdef' as AppId,
    name: null,
    certificate: null,
    previousCertificateUntil: null,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    updatedAt: new Date('2026-11-25T10:00:00.000Z'),
    ...over,
    certified: over.certified ?? (over.certificate !== undefined && over.certificate !== null),
  };
}

export function customerRecord(over: Partial<CustomerRecord> = {}): CustomerRecord {
  return {
    key: '5f2c3b0e9a6d4c1b8e7f0a1b2c3d4e5f',
    name: null,
    appIds: [],
    allApps: false,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    revokedAt: null,
    ...over,
  };
}

/** Deps with a captured output and pinned clock / id generator. */
export function newDeps(
  apps: AppsRepository,
  customers: CustomersRepository = newCustomersRepositoryMock(),
  webhooks: WebhooksRepository = newWebhooksRepositoryMock(),
) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    apps,
    customers,
    webhooks,
    output: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => Date.UTC(2026, 10, 25, 12, 0, 0),
    generateAppId: () => 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  };
  return { deps, out, err };
}

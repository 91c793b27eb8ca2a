import { Injectable } from '@nestjs/common';
import type { AppId } from '@parley/contracts';
import { generateAppId, generateCertificate } from '@parley/tokens';
import { ApiError, notFound } from '../http/api-error';
import { AdminAppsRepository, type AppChanges, type AppRow, type DeletedApp } from './admin-apps.repository';
import {
  OVERLAP_DEFAULT_SECONDS,
  PAGE_DEFAULT,
  type AdminAppView,
  type AdminAppWithCertificateView,
  type CreateAppBody,
  type AppsQuery,
  type RotateCertificateBody,
  type UpdateAppBody,
} from './admin.schemas';
import type { z } from 'zod';

const unknownApp = (appId: AppId) => notFound(`unknown app ${appId}`);

/**
 * Apps for the operator: create (static or certified), list, show, change (name, message-history
 * settings), rotate or remove the certificate, delete with all data. A certificate is returned only when it is made (creation, rotation); reads
 * say whether the app is certified and until when the replaced certificate still verifies tokens.
 */
@Injectable()
export class AdminAppsService {
  constructor(private readonly repository: AdminAppsRepository) {}

  async create(body: z.infer<typeof CreateAppBody>): Promise<AdminAppWithCertificateView> {
    const appId = (body.appId ?? generateAppId()) as AppId;
    const row = await this.repository.create(appId, { name: body.name ?? null, certificate: body.certified ? generateCertificate() : null });
    if (!row) throw new ApiError(409, 'app_exists', `app ${appId} already exists`);
    return withCertificate(row);
  }

  async list(query: z.infer<typeof AppsQuery>): Promise<{ apps: AdminAppView[]; next: string | null }> {
    const limit = query.limit ?? PAGE_DEFAULT;
    const rows = await this.repository.list(limit + 1, query.after as AppId | undefined);
    const page = rows.slice(0, limit);
    return { apps: page.map((r) => view(r)), next: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  async get(appId: AppId): Promise<AdminAppView> {
    const row = await this.repository.find(appId);
    if (!row) throw unknownApp(appId);
    return view(row);
  }

  /**
   * Changes the name or the message-history settings; only the fields given change, null resets a
   * history limit to the history service's default. The senders see storeAll within their app
   * settings refresh; the history service reads retention and cap at each query and maintenance pass.
   */
  async update(appId: AppId, body: UpdateAppBody): Promise<AdminAppView> {
    const changes = changesOf(body);
    const row = Object.keys(changes).length === 0 ? await this.repository.find(appId) : await this.repository.update(appId, changes);
    if (!row) throw unknownApp(appId);
    return view(row);
  }

  /**
   * A new certificate; tokens of the replaced one keep verifying for overlapSeconds (0: they stop at
   * once). Certifying a static app is a rotation from none. Only one previous certificate is kept:
   * rotating again inside an overlap ends the older overlap.
   */
  async rotateCertificate(appId: AppId, body: z.infer<typeof RotateCertificateBody>): Promise<AdminAppWithCertificateView> {
    const overlapSeconds = body.overlapSeconds ?? OVERLAP_DEFAULT_SECONDS;
    const previousUntil = overlapSeconds > 0 ? new Date(Date.now() + overlapSeconds * 1000) : null;
    const row = await this.repository.rotateCertificate(appId, generateCertificate(), previousUntil);
    if (!row) throw unknownApp(appId);
    return withCertificate(row);
  }

  /** The app becomes static: logins need no token (and a token is refused). */
  async removeCertificate(appId: AppId): Promise<AdminAppView> {
    const row = await this.repository.removeCertificate(appId);
    if (!row) throw unknownApp(appId);
    return view(row);
  }

  async delete(appId: AppId): Promise<DeletedApp & { appId: AppId }> {
    const deleted = await this.repository.deleteWithData(appId);
    if (!deleted) throw unknownApp(appId);
    return { appId, ...deleted };
  }
}

function changesOf(body: UpdateAppBody): AppChanges {
  const changes: AppChanges = {};
  if (body.name !== undefined) changes.name = body.name;
  if (body.history?.storeAll !== undefined) changes.historyStoreAll = body.history.storeAll;
  if (body.history?.retentionMs !== undefined) changes.historyRetentionMs = body.history.retentionMs;
  if (body.history?.maxBytes !== undefined) changes.historyMaxBytes = body.history.maxBytes;
  return changes;
}

const numberOrNull = (n: bigint | null): number | null => (n === null ? null : Number(n));

function view(row: AppRow, now = Date.now()): AdminAppView {
  const until = row.previousCertificate !== null ? row.previousCertificateUntil : null;
  return {
    appId: row.id,
    name: row.name,
    certified: row.certificate !== null,
    previousCertificateValidUntil: until && until.getTime() > now ? until.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    history: { storeAll: row.historyStoreAll, retentionMs: numberOrNull(row.historyRetentionMs), maxBytes: numberOrNull(row.historyMaxBytes) },
  };
}

const withCertificate = (row: AppRow): AdminAppWithCertificateView => ({ ...view(row), certificate: row.certificate });

import type { ZodOpenApiPathsObject } from 'zod-openapi';
import {
  HandleParams,
  HistoryCountQuery,
  HistoryCountResponse,
  HistoryMessagesResponse,
  HistoryQueryBody,
  HistoryQueryResponse,
} from '../agora/agora-history.schemas';
import { AgoraError, AppPathParams } from '../agora/agora.schemas';
import { HistoryChannelParams, HistoryPageQuery, HistoryPageResponse, HistoryPeerParams } from '../v1/history.schemas';
import { ApiErrorBody } from '../v1/v1.schemas';
import { agora, errors, json, parley } from './openapi.helpers';

const AGORA_HISTORY_ERRORS = {
  '400':
    'Bad input: unknown fields, ids by the SDK’s rules, times not ISO 8601 UTC (…Z), end_time not after start_time, neither source nor destination, limit not 20/50/100',
  '403': 'Valid credentials without the right to this app, or an RTM token whose uid is neither source nor destination',
  '429': 'The app’s history rate (API_HISTORY_RATE, Agora’s 100/s) exceeded (Retry-After)',
};

const PAGE_ERRORS = {
  '400': 'Bad input: ids by the SDK’s rules, start / end not Unix ms, end not before start, messageCount not 1–100, unknown parameters',
  '429': 'The app’s history rate (API_HISTORY_RATE) exceeded (Retry-After)',
};

/** Message history: Agora 1.x's query / handle / count, and Parley's pages. */
export const historyPaths: ZodOpenApiPathsObject = {
  '/dev/v2/project/{appid}/rtm/message/history/query': {
    post: agora({
      summary: 'Make a history query; read its messages from the answer’s location',
      description:
        'The handle in `location` is the normalized query itself (stateless: any replica answers it, nothing is stored, it does not expire). It is run, and the caller’s right to it checked, each time it is read. Text messages only, as Agora 1.x stores.',
      requestParams: { path: AppPathParams },
      requestBody: json(HistoryQueryBody),
      responses: {
        '200': { description: 'The query’s handle, with its offset, limit and order', ...json(HistoryQueryResponse) },
        ...errors(AgoraError, AGORA_HISTORY_ERRORS),
      },
    }),
  },
  '/dev/v2/project/{appid}/rtm/message/history/query/{handle}': {
    get: agora({
      summary: 'The messages of a history query (code is always ok: the query runs now)',
      requestParams: { path: HandleParams },
      responses: {
        '200': { description: 'Up to `limit` text messages of the filter from `offset`, in `order` of time', ...json(HistoryMessagesResponse) },
        ...errors(AgoraError, { ...AGORA_HISTORY_ERRORS, '404': 'Not a handle this server made for this app (or unknown app)' }),
      },
    }),
  },
  '/dev/v2/project/{appid}/rtm/message/history/count': {
    get: agora({
      summary: 'How many stored text messages match a filter',
      requestParams: { path: AppPathParams, query: HistoryCountQuery },
      responses: { '200': { description: 'The count', ...json(HistoryCountResponse) }, ...errors(AgoraError, AGORA_HISTORY_ERRORS) },
    }),
  },
  '/v1/apps/{appid}/history/channels/{channel}': {
    get: parley({
      summary: 'A page of a channel’s stored messages, newest first (customer credentials only)',
      requestParams: { path: HistoryChannelParams, query: HistoryPageQuery },
      responses: {
        '200': { description: 'Messages older than start (and not older than end)', ...json(HistoryPageResponse) },
        ...errors(ApiErrorBody, {
          ...PAGE_ERRORS,
          '403': 'An RTM token (it cannot prove membership: only a customer credential reads a channel), or a credential without the right to this app',
        }),
      },
    }),
  },
  '/v1/apps/{appid}/history/users/{uid}/peers/{peer}': {
    get: parley({
      summary: 'A page of the conversation between uid and peer (both directions), newest first',
      requestParams: { path: HistoryPeerParams, query: HistoryPageQuery },
      responses: {
        '200': { description: 'Messages older than start (and not older than end)', ...json(HistoryPageResponse) },
        ...errors(ApiErrorBody, { ...PAGE_ERRORS, '403': 'An RTM token of another uid than {uid}, or a credential without the right to this app' }),
      },
    }),
  },
};

/**
 * The plugin-facing API: the sidebar plugin reports each call's lifecycle and, after the call, its
 * summary, recording and transcript. Authenticated with a per-teammate token (admin-made); the
 * teammate's email comes from the token, never from the request.
 */
import type { IncomingMessage } from 'node:http';
import type { CallService, ReportResult, Teammate } from '../calls/service';
import type { Store } from '../db/database';
import { HttpError, parseJson, type Reply, type Router } from '../http/router';
import { bearerToken, sha256Hex } from '../http/signature';
import { CallEventReportSchema, RecordingReportSchema, SummaryReportSchema, TranscriptReportSchema, parseOr400 } from './schemas';

export const PLUGIN_BODY_LIMITS = {
  events: 8 * 1024,
  summary: 32 * 1024,
  recording: 8 * 1024,
  transcript: 1024 * 1024,
} as const;

const unauthorized = () =>
  new HttpError(401, 'unauthorized', 'A valid teammate token is required.', undefined, { 'www-authenticate': 'Bearer', connection: 'close' });

export function authenticateTeammate(store: Store, req: IncomingMessage): Teammate {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw unauthorized();
  const row = store.tokenByHash(sha256Hex(token));
  if (!row) throw unauthorized();
  return { email: row.email, extension: row.extension };
}

const replyOf = (result: ReportResult): Reply => ({ status: result.status === 'duplicate' ? 200 : 202, body: result });

export function addPluginRoutes(router: Router, { store, calls }: { store: Store; calls: CallService }): void {
  // The token is checked when the headers arrive, before the body is read; bodies are JSON only.
  const authed = (bodyLimit: number) => ({ bodyLimit, json: true, before: (req: IncomingMessage) => authenticateTeammate(store, req) });
  router
    .add<Teammate>('GET', '/v1/me', ({ auth }) => ({ status: 200, body: auth }), { before: (req) => authenticateTeammate(store, req) })
    .add('POST', '/v1/calls/events', async ({ auth, body }) => replyOf(await calls.reportEvent(auth, parseOr400(CallEventReportSchema, parseJson(body)))), authed(PLUGIN_BODY_LIMITS.events))
    .add('POST', '/v1/calls/summary', async ({ auth, body }) => replyOf(await calls.reportSummary(auth, parseOr400(SummaryReportSchema, parseJson(body)))), authed(PLUGIN_BODY_LIMITS.summary))
    .add('POST', '/v1/calls/recording', async ({ auth, body }) => replyOf(await calls.reportRecording(auth, parseOr400(RecordingReportSchema, parseJson(body)))), authed(PLUGIN_BODY_LIMITS.recording))
    .add('POST', '/v1/calls/transcript', async ({ auth, body }) => replyOf(await calls.reportTranscript(auth, parseOr400(TranscriptReportSchema, parseJson(body)))), authed(PLUGIN_BODY_LIMITS.transcript));
}

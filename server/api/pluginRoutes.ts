/**
 * The plugin-facing API: the sidebar plugin reports each call's lifecycle and, after the call, its
 * summary, recording and transcript. Authenticated with a per-teammate token (admin-made); the
 * teammate's email comes from the token, never from the request.
 */
import type { IncomingMessage } from 'node:http';
import type { CallService, ReportResult, Teammate } from '../calls/service';
import type { Store } from '../db/database';
import { readJson } from '../http/body';
import { HttpError, type Reply, type Router } from '../http/router';
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
  router
    .add('GET', '/v1/me', ({ req }) => {
      const teammate = authenticateTeammate(store, req);
      return { status: 200, body: teammate };
    })
    .add('POST', '/v1/calls/events', async ({ req }) => {
      const teammate = authenticateTeammate(store, req);
      const { value } = await readJson(req, PLUGIN_BODY_LIMITS.events);
      return replyOf(await calls.reportEvent(teammate, parseOr400(CallEventReportSchema, value)));
    })
    .add('POST', '/v1/calls/summary', async ({ req }) => {
      const teammate = authenticateTeammate(store, req);
      const { value } = await readJson(req, PLUGIN_BODY_LIMITS.summary);
      return replyOf(await calls.reportSummary(teammate, parseOr400(SummaryReportSchema, value)));
    })
    .add('POST', '/v1/calls/recording', async ({ req }) => {
      const teammate = authenticateTeammate(store, req);
      const { value } = await readJson(req, PLUGIN_BODY_LIMITS.recording);
      return replyOf(await calls.reportRecording(teammate, parseOr400(RecordingReportSchema, value)));
    })
    .add('POST', '/v1/calls/transcript', async ({ req }) => {
      const teammate = authenticateTeammate(store, req);
      const { value } = await readJson(req, PLUGIN_BODY_LIMITS.transcript);
      return replyOf(await calls.reportTranscript(teammate, parseOr400(TranscriptReportSchema, value)));
    });
}

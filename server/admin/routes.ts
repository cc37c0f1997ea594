/**
 * Admin endpoints, behind `Authorization: Bearer <ADMIN_TOKEN>`: teammate tokens (made here,
 * shown once, stored as SHA-256), the outbox's state and its dead letters.
 */
import type { IncomingMessage } from 'node:http';
import { CreateTokenSchema, parseOr400 } from '../api/schemas';
import type { OutboxRow, Store } from '../db/database';
import { HttpError, parseJson, type Router } from '../http/router';
import { bearerToken, randomToken, safeEqual, sha256Hex } from '../http/signature';
import type { Outbox } from '../outbox/outbox';

/** Teammate tokens start with this, so a leaked one is recognisable. */
export const TEAMMATE_TOKEN_PREFIX = 'fst_';

const opView = (op: OutboxRow) => ({
  seq: op.seq,
  callId: op.callId,
  kind: op.kind,
  state: op.state,
  attempts: op.attempts,
  /** An attempt may have reached Front without its answer reaching us (sent twice, if at all). */
  ambiguous: op.ambiguous,
  outcome: op.outcome,
  reason: op.lastError,
  payload: JSON.parse(op.payload) as unknown,
  createdAt: op.createdAt,
  finishedAt: op.finishedAt,
});

export function addAdminRoutes(router: Router, { store, outbox, adminToken, now = Date.now }: { store: Store; outbox: Outbox; adminToken: string; now?: () => number }): void {
  const requireAdmin = (req: IncomingMessage) => {
    const token = bearerToken(req.headers.authorization);
    if (!token || !safeEqual(token, adminToken)) {
      throw new HttpError(401, 'unauthorized', 'The admin token is required.', undefined, { 'www-authenticate': 'Bearer', connection: 'close' });
    }
  };
  // Checked when the headers arrive, before any body is read.
  const admin = { before: requireAdmin };

  router
    .add('POST', '/admin/tokens', ({ body }) => {
      const input = parseOr400(CreateTokenSchema, parseJson(body));
      const token = `${TEAMMATE_TOKEN_PREFIX}${randomToken(32)}`;
      const row = store.insertToken({
        email: input.email,
        extension: input.extension ?? null,
        label: input.label ?? null,
        tokenHash: sha256Hex(token),
        now: now(),
      });
      // The only time the token is shown: only its hash is kept.
      return { status: 201, body: { ...row, token } };
    }, { ...admin, json: true, bodyLimit: 4 * 1024 })
    .add('GET', '/admin/tokens', () => ({ status: 200, body: { tokens: store.listTokens() } }), admin)
    .add('DELETE', '/admin/tokens/:id', ({ params }) => {
      const id = Number(params.id);
      if (!Number.isInteger(id) || !store.revokeToken(id, now())) throw new HttpError(404, 'unknown_token', 'No active token with this id.');
      return { status: 204 };
    }, admin)
    .add('GET', '/admin/outbox', () => {
      const channel = store.activeChannel();
      const counts = store.outboxCounts();
      const stats = outbox.stats();
      // `inflight` is every instance's (the database's): a stopped instance's requests stay in
      // flight until another takes its calls over; `inflightHere` is this instance's.
      return { status: 200, body: { ...counts, ...stats, inflight: counts.inflight, inflightHere: stats.inflight, channelId: channel?.channelId ?? null } };
    }, admin)
    .add('GET', '/admin/dead-letters', ({ url }) => {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit') ?? 100) || 100, 1), 1000);
      return { status: 200, body: { deadLetters: store.deadOps(limit).map(opView) } };
    }, admin)
    .add('GET', '/admin/calls/:id', ({ params }) => {
      const id = params.id ?? '';
      const call = store.getCall(id) ?? store.callByAlias(id) ?? store.callByPbxId(id);
      if (!call) throw new HttpError(404, 'unknown_call', 'No such call.');
      return { status: 200, body: { call, requests: store.opsOfCall(call.id).map(opView) } };
    }, admin);
}

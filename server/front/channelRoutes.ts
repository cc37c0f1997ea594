/**
 * The endpoints Front calls on this server: the channel URL (authorization when a teammate adds
 * the channel, list_addresses) and the webhook URL answered on authorization (delete). Every
 * request is verified against X-Front-Signature before anything is read from it; a refused
 * request changes nothing.
 */
import { FrontChannelRequestSchema, parseOr400 } from '../api/schemas';
import type { Store } from '../db/database';
import { HttpError, headerValue as header, parseJson, type RequestContext, type Router } from '../http/router';
import { createReplayGuard, createSharedReplayGuard, randomToken, verifySignedBody } from '../http/signature';
import type { Logger } from '../log';
import type { Outbox } from '../outbox/outbox';

export const FRONT_SIGNATURE_HEADER = 'x-front-signature';
export const FRONT_TIMESTAMP_HEADER = 'x-front-request-timestamp';
const FRONT_BODY_LIMIT = 64 * 1024;

export interface ChannelRoutesOptions {
  store: Store;
  outbox: Outbox;
  logger: Logger;
  appSecret: string;
  maxAgeMs: number;
  /** Base of the webhook URL handed to Front. */
  publicUrl: () => string;
  addresses: Array<{ address: string; name?: string }>;
  now?: () => number;
}

export function addChannelRoutes(router: Router, o: ChannelRoutesOptions): void {
  const now = o.now ?? Date.now;
  // Instances sharing a database share the signatures seen (a replay to another instance is refused too).
  const replays = o.store.shared ? createSharedReplayGuard({ memory: o.store, maxAgeMs: o.maxAgeMs }) : createReplayGuard({ maxAgeMs: o.maxAgeMs });

  /** The raw body of a request Front signed (empty for a bodiless DELETE), seen for the first time; 401 otherwise. */
  const verifiedRaw = ({ req, body: raw }: RequestContext): Buffer => {
    const timestamp = header(req.headers[FRONT_TIMESTAMP_HEADER]);
    const signature = header(req.headers[FRONT_SIGNATURE_HEADER]);
    const at = now();
    let check = verifySignedBody({ secret: o.appSecret, timestamp, signature, rawBody: raw, now: at, maxAgeMs: o.maxAgeMs, method: req.method });
    if (check.ok && !replays.firstSeen(signature!, timestamp!, at)) {
      check = { ok: false, code: 'replayed_request', message: 'This signed request was already received.' };
    }
    if (!check.ok) {
      o.logger.warn('refused a request claiming to come from Front', { path: req.url, code: check.code });
      throw new HttpError(401, check.code, check.message);
    }
    return raw;
  };
  const verified = (ctx: RequestContext) => parseOr400(FrontChannelRequestSchema, parseJson(verifiedRaw(ctx)));
  const limits = { bodyLimit: FRONT_BODY_LIMIT };

  router.add('POST', '/front/channel', (ctx) => {
    const request = verified(ctx);
    switch (request.type) {
      case 'authorization': {
        const channelId = request.payload.channel_id;
        const existing = o.store.getChannel(channelId);
        const channel = o.store.upsertChannel(channelId, existing?.webhookId ?? randomToken(18), now());
        o.logger.info('front channel authorized', { channelId });
        o.outbox.channelAvailable();
        return { status: 200, body: { type: 'success', webhook_url: `${o.publicUrl()}/front/webhooks/${channel.webhookId}` } };
      }
      case 'list_addresses':
        return { status: 200, body: { type: 'success', addresses: o.addresses } };
      default:
        throw new HttpError(400, 'unsupported_type', `The channel URL does not handle "${request.type}" requests.`);
    }
  }, limits);

  const webhook = (ctx: RequestContext) => {
    const raw = verifiedRaw(ctx);
    const channel = o.store.getChannelByWebhook(ctx.params.webhookId ?? '');
    if (!channel) throw new HttpError(404, 'unknown_webhook', 'No channel uses this webhook URL.');
    // A bodiless DELETE (signed over `undefined`) deletes the channel its webhook URL belongs to.
    const request =
      ctx.req.method === 'DELETE' && raw.length === 0
        ? ({ type: 'delete', payload: { channel_id: channel.channelId } } as const)
        : parseOr400(FrontChannelRequestSchema, parseJson(raw));
    switch (request.type) {
      case 'delete': {
        if (request.payload.channel_id !== channel.channelId) {
          throw new HttpError(400, 'channel_mismatch', 'The channel id does not belong to this webhook URL.');
        }
        o.store.deleteChannel(channel.channelId, now());
        o.logger.warn('front channel deleted', { channelId: channel.channelId });
        o.outbox.channelDeleted(channel.channelId);
        return { status: 200, body: { type: 'success' } };
      }
      case 'message':
        // A voice channel sends no messages: nothing to deliver.
        return { status: 200, body: { type: 'success' } };
      default:
        throw new HttpError(400, 'unsupported_type', `The webhook URL does not handle "${request.type}" requests.`);
    }
  };
  router.add('POST', '/front/webhooks/:webhookId', webhook, limits).add('DELETE', '/front/webhooks/:webhookId', webhook, limits);
}

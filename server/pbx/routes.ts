/**
 * The PBX webhook: telephony events from the phone system (start, answer, end), so calls answered
 * on a desk phone are logged too. Signed like Front's requests, with PBX_WEBHOOK_SECRET:
 * `X-Pbx-Signature` = base64(HMAC-SHA256(secret, `<X-Pbx-Timestamp>:<raw body>`)).
 */
import { PbxEventSchema, parseOr400 } from '../api/schemas';
import type { CallService } from '../calls/service';
import { HttpError, headerValue as header, parseJson, type Router } from '../http/router';
import { verifySignedBody } from '../http/signature';

export const PBX_BODY_LIMIT = 8 * 1024;
export const PBX_SIGNATURE_HEADER = 'x-pbx-signature';
export const PBX_TIMESTAMP_HEADER = 'x-pbx-timestamp';

export function addPbxRoutes(
  router: Router,
  { calls, secret, maxAgeMs, now = Date.now }: { calls: CallService; secret: string | null; maxAgeMs: number; now?: () => number },
): void {
  router.add(
    'POST',
    '/pbx/events',
    async ({ req, body: raw }) => {
      const check = verifySignedBody({
        secret: secret!,
        timestamp: header(req.headers[PBX_TIMESTAMP_HEADER]),
        signature: header(req.headers[PBX_SIGNATURE_HEADER]),
        rawBody: raw,
        now: now(),
        maxAgeMs,
      });
      if (!check.ok) throw new HttpError(401, check.code, check.message);
      const event = parseOr400(PbxEventSchema, parseJson(raw));
      const result = await calls.pbxEvent(event, raw);
      return { status: result.status === 'duplicate' ? 200 : 202, body: result };
    },
    {
      bodyLimit: PBX_BODY_LIMIT,
      json: true,
      before: () => {
        if (!secret) throw new HttpError(404, 'pbx_disabled', 'The PBX webhook is off: set PBX_WEBHOOK_SECRET to turn it on.');
      },
    },
  );
}

/**
 * GET /v1/contacts/lookup?phone=<E.164>: the name Front's contacts give a number, for the plugin to
 * show on an incoming call that rang without one (server/front/contacts.ts asks Front).
 *
 * - 401 without a valid teammate token (checked before anything else; no answer says whether a
 *   number is known to someone without a token).
 * - 400 `invalid_phone` unless `phone` is exactly one E.164 number (contract/numbers.ts) and the only
 *   parameter. A `+` sent unencoded arrives as a space (form decoding): a leading space followed by
 *   digits is read back as the `+` it was.
 * - 200 `{ name }`, 404 `contact_not_found` (no contact, or one without a name), 503
 *   `front_unavailable` (Front failed or the rate budget is spent: try later), 404
 *   `contacts_not_configured` when FRONT_API_TOKEN is unset.
 * - `cache-control: no-store`: the server caches; a browser or proxy must not keep names.
 */
import { isE164 } from '../../contract';
import type { Teammate } from '../calls/service';
import type { Store } from '../db/database';
import type { ContactLookup } from '../front/contacts';
import { HttpError, type Router } from '../http/router';
import { authenticateTeammate } from './pluginRoutes';

const NO_STORE = { 'cache-control': 'no-store' };

/** The E.164 number a query asks about, or a 400. */
export function phoneOfQuery(params: URLSearchParams): string {
  const keys = [...params.keys()];
  const values = params.getAll('phone');
  if (values.length !== 1 || keys.length !== 1) {
    throw new HttpError(400, 'invalid_phone', 'Give exactly one parameter, phone, an E.164 number like +14155550100 (encode + as %2B).');
  }
  const raw = values[0]!;
  const phone = /^ \d/.test(raw) ? `+${raw.slice(1)}` : raw;
  if (!isE164(phone)) throw new HttpError(400, 'invalid_phone', 'phone must be an E.164 number, like +14155550100 (encode + as %2B).');
  return phone;
}

export function addContactRoutes(router: Router, { store, contacts }: { store: Store; contacts: ContactLookup | null }): void {
  router.add<Teammate>(
    'GET',
    '/v1/contacts/lookup',
    async ({ url }) => {
      if (!contacts) throw new HttpError(404, 'contacts_not_configured', 'This server does not look up names in Front (FRONT_API_TOKEN is unset).', undefined, NO_STORE);
      const phone = phoneOfQuery(url.searchParams);
      const answer = await contacts.lookup(phone);
      if (answer.type === 'found') return { status: 200, body: { name: answer.name }, headers: NO_STORE };
      if (answer.type === 'unknown') throw new HttpError(404, 'contact_not_found', 'Front has no named contact for this number.', undefined, NO_STORE);
      throw new HttpError(503, 'front_unavailable', 'Front could not be asked right now; try again later.', undefined, NO_STORE);
    },
    { before: (req) => authenticateTeammate(store, req) },
  );
}

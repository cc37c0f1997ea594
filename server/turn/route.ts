/**
 * GET /v1/turn-credentials: short-lived TURN credentials for the teammate the token names (see
 * credentials.ts). 401 without a valid teammate token; 404 when the server offers no TURN
 * (TURN_SECRET / TURN_URLS unset). Never cached by a browser or a proxy. The wiring is kept apart
 * from the minting so it can move to another HTTP framework unchanged.
 */
import { authenticateTeammate } from '../api/pluginRoutes';
import type { Store } from '../db/database';
import { HttpError, type Router } from '../http/router';
import type { Logger } from '../log';
import { mintTurnCredentials, type TurnSettings } from './credentials';

export function addTurnRoute(router: Router, { store, turn, logger, now }: { store: Store; turn: TurnSettings | null; logger: Logger; now: () => number }): void {
  router.add('GET', '/v1/turn-credentials', ({ req }) => {
    const teammate = authenticateTeammate(store, req);
    if (!turn) throw new HttpError(404, 'turn_not_configured', 'This server does not issue TURN credentials.');
    const credentials = mintTurnCredentials(turn, teammate.email, now());
    // The expiry and who, never the credential.
    logger.debug('turn credentials issued', { teammate: teammate.email, expiresAt: credentials.expiresAt });
    return { status: 200, body: credentials, headers: { 'cache-control': 'no-store' } };
  });
}

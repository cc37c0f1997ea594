/**
 * CORS for the plugin API: a browser page may call /v1/* only from a configured origin (the
 * plugin's). Other routes (Front, the PBX, admin) are server-to-server and get no CORS headers.
 */
import type { IncomingMessage } from 'node:http';
import type { Reply } from './router';

const PLUGIN_PREFIX = '/v1/';

export function corsFor(allowedOrigins: readonly string[]) {
  const allowed = new Set(allowedOrigins);
  const originOf = (req: IncomingMessage, url: URL): string | null => {
    const origin = req.headers.origin;
    return typeof origin === 'string' && url.pathname.startsWith(PLUGIN_PREFIX) && allowed.has(origin) ? origin : null;
  };
  return {
    headersFor(req: IncomingMessage, url: URL): Record<string, string> {
      const origin = originOf(req, url);
      return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
    },
    /** Answers preflight requests; null lets the request through to the router. */
    preflight(req: IncomingMessage, url: URL): Reply | null {
      if (req.method !== 'OPTIONS') return null;
      if (!originOf(req, url)) return { status: 403, body: { error: { code: 'origin_not_allowed', message: 'This origin may not call this API.' } } };
      return {
        status: 204,
        headers: {
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'authorization, content-type',
          'access-control-max-age': '600',
        },
      };
    },
  };
}

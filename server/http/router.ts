/**
 * A tiny router over node:http: exact paths and `:param` segments, one handler per method and path.
 *
 * Why not a framework: the server has about fifteen routes, needs the raw request bytes for
 * signature checks and hard body-size limits before parsing, and is easier to audit with no layer
 * between node:http and the handlers.
 *
 * Handlers return a {@link Reply} or throw an {@link HttpError}; anything else thrown is a 500
 * whose message is logged, never sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export interface RequestContext {
  req: IncomingMessage;
  params: Record<string, string>;
  url: URL;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export interface Router {
  add(method: string, path: string, handler: Handler): Router;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export interface RouterOptions {
  logger: Logger;
  /** Headers added to every response of a request (CORS). */
  headersFor?: (req: IncomingMessage, url: URL) => Record<string, string>;
  /** Answers before routing (CORS preflight). */
  before?: (req: IncomingMessage, url: URL) => Reply | null;
}

export function createRouter({ logger, headersFor, before }: RouterOptions): Router {
  const routes: Route[] = [];

  const match = (route: Route, parts: string[]): Record<string, string> | null => {
    if (route.segments.length !== parts.length) return null;
    const params: Record<string, string> = {};
    for (let i = 0; i < parts.length; i++) {
      const seg = route.segments[i]!;
      const part = parts[i]!;
      if (seg.startsWith(':')) {
        let value: string;
        try {
          value = decodeURIComponent(part);
        } catch {
          return null;
        }
        params[seg.slice(1)] = value;
      } else if (seg !== part) {
        return null;
      }
    }
    return params;
  };

  const send = (res: ServerResponse, reply: Reply, extra: Record<string, string>) => {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { 'cache-control': 'no-store', ...extra, ...reply.headers };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const payload = JSON.stringify(reply.body);
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, headers);
    res.end(payload);
  };

  const errorReply = (error: HttpError): Reply => ({
    status: error.status,
    body: { error: { code: error.code, message: error.message, ...error.details } },
    ...(error.headers ? { headers: error.headers } : {}),
  });

  const router: Router = {
    add(method, path, handler) {
      routes.push({ method, segments: path.split('/').filter(Boolean), handler });
      return router;
    },
    handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        send(res, errorReply(new HttpError(400, 'bad_url', 'The request URL is not valid.')), {});
        return;
      }
      const extra = headersFor?.(req, url) ?? {};
      const early = before?.(req, url);
      if (early) {
        send(res, early, extra);
        return;
      }
      const parts = url.pathname.split('/').filter(Boolean);
      let allowed: string[] = [];
      for (const route of routes) {
        const params = match(route, parts);
        if (!params) continue;
        if (route.method !== req.method) {
          allowed.push(route.method);
          continue;
        }
        allowed = [];
        Promise.resolve()
          .then(() => route.handler({ req, params, url }))
          .then(
            (reply) => send(res, reply, extra),
            (error: unknown) => {
              if (error instanceof HttpError) {
                send(res, errorReply(error), extra);
                // A refused body that was not read: stop reading it, then close the connection.
                if (!req.complete) req.resume();
                return;
              }
              logger.error('request failed', { method: req.method, path: url.pathname, error });
              send(res, errorReply(new HttpError(500, 'internal_error', 'The server could not handle this request.')), extra);
            },
          );
        return;
      }
      if (allowed.length > 0) {
        send(res, errorReply(new HttpError(405, 'method_not_allowed', `Use ${allowed.join(' or ')} here.`)), { ...extra, allow: allowed.join(', ') });
        return;
      }
      send(res, errorReply(new HttpError(404, 'not_found', 'No such endpoint.')), extra);
    },
  };
  return router;
}

/** A header's first value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

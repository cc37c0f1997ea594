/**
 * The HTTP layer: Fastify behind one small interface (the only importer of fastify and its
 * plugins). Routes are added with a handler that returns a {@link Reply} or throws an
 * {@link HttpError}; anything else thrown is a 500 whose message is logged, never sent.
 *
 * Contract:
 * - Every route gets its body as raw bytes (`ctx.body`, empty when there is none): signatures are
 *   checked on exactly the bytes received, and each route parses what it needs.
 * - `before` runs when the headers have arrived, before a byte of the body is read
 *   (authentication, feature switches): a refused request never has its body read.
 * - `json: true` refuses another content type with 415, also before the body is read.
 * - `bodyLimit` (bytes) is enforced as the bytes arrive, declared length or not: 413, and the
 *   connection is closed so an endless body is never read for ever.
 * - Every reply has `cache-control: no-store`; errors are `{ error: { code, message, ...details } }`.
 * - CORS (@fastify/cors): `/v1/*` answers browsers from the configured origins only (preflight 204);
 *   a preflight from another origin, or for another route, is 403; no other route has CORS headers.
 * - Failed authentications: every 401 counts against the client's address; past the limit the
 *   client gets 429 with Retry-After for every request, whatever its credentials, until the window
 *   ends (./authFailures.ts). Other clients are not affected.
 * - A path that exists with another method is 405 with `Allow`; an unknown path 404.
 */
import cors from '@fastify/cors';
import Fastify, { type FastifyError, type FastifyHttpOptions, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Logger } from '../log';
import type { AuthFailures } from './authFailures';

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

export interface RequestContext<A = undefined> {
  req: IncomingMessage;
  params: Record<string, string>;
  url: URL;
  /** The raw body (empty when the request has none). */
  body: Buffer;
  /** What `before` returned. */
  auth: A;
}

export type Handler<A = undefined> = (ctx: RequestContext<A>) => Reply | Promise<Reply>;

export interface RouteOptions<A> {
  /** Largest body accepted, in bytes (default 16 KiB). */
  bodyLimit?: number;
  /** Only `application/json` bodies: 415 otherwise, before the body is read. */
  json?: boolean;
  /** Runs before the body is read; throws to refuse (e.g. 401). Its result is `ctx.auth`. */
  before?: (req: IncomingMessage) => A;
}

export interface Router {
  add<A = undefined>(method: string, path: string, handler: Handler<A>, options?: RouteOptions<A>): Router;
}

export interface HttpServer {
  router: Router;
  /** The node:http server (not listening yet): call after adding every route. */
  server(): Promise<Server>;
  close(): Promise<void>;
}

export interface HttpOptions {
  logger: Logger;
  /** Origins allowed to call `/v1/*` from a browser. */
  corsOrigins: readonly string[];
  authFailures: AuthFailures;
  /** Fastify's `trustProxy`: whose X-Forwarded-For names the client (rate limiting by address). */
  trustProxy?: boolean | number | string;
}

const PLUGIN_PREFIX = '/v1/';
const DEFAULT_BODY_LIMIT = 16 * 1024;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const errorBody = (error: HttpError) => ({ error: { code: error.code, message: error.message, ...error.details } });

function contentTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Fastify's own errors (body limit, bad content length...) in the server's words. */
function fromFastify(error: FastifyError, request: FastifyRequest): HttpError | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
      return new HttpError(413, 'body_too_large', `The request body is larger than ${limit} bytes.`, { limit }, { connection: 'close' });
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', undefined, { connection: 'close' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'body_unreadable', 'The request body could not be read.', undefined, { connection: 'close' });
    default:
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return new HttpError(error.statusCode, 'bad_request', 'The request could not be read.', undefined, { connection: 'close' });
      }
      return null;
  }
}

export function createHttpServer({ logger, corsOrigins, authFailures, trustProxy = false }: HttpOptions): HttpServer {
  let node: Server | null = null;
  const options: FastifyHttpOptions<Server> = {
    logger: false,
    // A hop count is documented (https://fastify.dev/docs/latest/Reference/Server/#trustproxy), not typed.
    trustProxy: trustProxy as boolean | string,
    exposeHeadRoutes: false,
    return503OnClosing: false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Our own node:http server, with the timeouts we want (Fastify attaches its handler to it).
    serverFactory: (handler) => {
      node = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000, headersTimeout: 20_000 }, handler);
      return node;
    },
  };
  const app: FastifyInstance = Fastify(options);

  // Every body as raw bytes, whatever its type; each route parses (and signs) what it needs.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const allowed = new Set(corsOrigins);
  void app.register(cors, {
    delegator: (req, callback) => {
      const origin = req.headers.origin;
      const ok = typeof origin === 'string' && allowed.has(origin) && (req.url ?? '').startsWith(PLUGIN_PREFIX);
      callback(null, ok ? { origin, methods: ['GET', 'POST'], allowedHeaders: ['authorization', 'content-type'], maxAge: 600 } : { origin: false });
    },
  });

  const send = (reply: FastifyReply, r: Reply) => {
    reply.code(r.status);
    if (r.headers) reply.headers(r.headers);
    return r.body === undefined ? reply.send() : reply.type('application/json; charset=utf-8').send(JSON.stringify(r.body));
  };
  const sendError = (reply: FastifyReply, error: HttpError) =>
    send(reply, { status: error.status, body: errorBody(error), ...(error.headers ? { headers: error.headers } : {}) });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const wait = authFailures.blockedFor(request.ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      return sendError(
        reply,
        new HttpError(429, 'too_many_failed_authentications', `Too many failed authentications from this address: retry in ${seconds} s.`, undefined, {
          'retry-after': String(seconds),
          connection: 'close',
        }),
      );
    }
  });

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    const known = error instanceof HttpError ? error : fromFastify(error, request);
    if (known) {
      if (known.status === 401) authFailures.failed(request.ip);
      return sendError(reply, known);
    }
    logger.error('request failed', { method: request.method, path: request.url.split('?')[0], error });
    return sendError(reply, new HttpError(500, 'internal_error', 'The server could not handle this request.'));
  });

  app.setNotFoundHandler((request, reply) => {
    // A preflight @fastify/cors did not answer: another origin, or a route browsers may not call.
    if (request.method === 'OPTIONS') {
      return sendError(reply, new HttpError(403, 'origin_not_allowed', 'This origin may not call this API.'));
    }
    return sendError(reply, new HttpError(404, 'not_found', 'No such endpoint.'));
  });

  const methodsOf = new Map<string, Set<string>>();

  const router: Router = {
    add<A>(method: string, path: string, handler: Handler<A>, options: RouteOptions<A> = {}) {
      const fastifyPath = path;
      const methods = methodsOf.get(fastifyPath) ?? new Set<string>();
      methods.add(method);
      methodsOf.set(fastifyPath, methods);
      const authOf = new WeakMap<IncomingMessage, A>();
      app.route({
        method,
        url: fastifyPath,
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        onRequest: async (request) => {
          if (options.before) authOf.set(request.raw, options.before(request.raw));
          if (options.json && contentTypeOf(request.raw) !== 'application/json') {
            throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.', undefined, { connection: 'close' });
          }
        },
        handler: async (request, reply) => {
          const reply_ = await handler({
            req: request.raw,
            params: request.params as Record<string, string>,
            url: new URL(request.url, 'http://localhost'),
            body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
            auth: authOf.get(request.raw) as A,
          });
          return send(reply, reply_);
        },
      });
      return router;
    },
  };

  return {
    router,
    async server() {
      // Another method on a known path: 405 with the methods it has.
      for (const [path, methods] of methodsOf) {
        const others = METHODS.filter((m) => !methods.has(m));
        const allow = [...methods].join(', ');
        if (others.length > 0) {
          app.route({
            method: others,
            url: path,
            handler: async (_request, reply) => sendError(reply, new HttpError(405, 'method_not_allowed', `Use ${[...methods].join(' or ')} here.`, undefined, { allow })),
          });
        }
      }
      await app.ready();
      return node!;
    },
    close: () => app.close(),
  };
}

/** A header's first value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The body parsed as JSON; 400 for malformed JSON. */
export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'malformed_json', 'The request body is not valid JSON.');
  }
}

/**
 * The Front connector: sends one Channel API request and says what happened, without judging it
 * (retry or not is the outbox's policy).
 *
 * Contract:
 * - `send` resolves as soon as Front's status line and headers arrive, so the caller can commit
 *   the outcome in the same tick; the response body is read later through `readBody`.
 * - `send` never rejects: every failure is a {@link SendResult}.
 * - `network.mayHaveReached` is false only when the request certainly never reached Front
 *   (connection refused, name not resolved); a timeout or a reset connection may have reached it.
 * - A recording is fetched from its source first; a source failure never reaches Front.
 * - A 400 or 409 resolves after its (small, capped) body is read, as `body`: what Front says is
 *   how the outbox tells "already applied" from a genuine refusal (./answers.ts).
 * - A first leg's create is sent with `parent_external_call_id` in the form of `firstLegParent`;
 *   if Front answers 400 naming that field, the form is switched once (and remembered through
 *   `firstLegParent.learn`) and the create is sent again in the other form. A 400 means Front
 *   applied nothing, so the second send cannot duplicate the call.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { parseRateLimitHeaders, type RateLimitHeaders } from '../outbox/pacer';
import { channelTokenSigner } from './jwt';
import {
  FIRST_LEG_PARENT_FIELD,
  isFirstLeg,
  otherFirstLegParentForm,
  routeOf,
  withFirstLegParent,
  type FirstLegParentForm,
  type FrontRequest,
} from './payloads';

export type SendResult =
  | { type: 'response'; status: number; retryAfter: string | null; rateLimit: RateLimitHeaders | null; readBody: () => Promise<string>; body?: string }
  | { type: 'network'; mayHaveReached: boolean; message: string }
  | { type: 'source'; retryable: boolean; message: string };

export interface FrontConnector {
  send(request: FrontRequest, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface FrontConnectorOptions {
  baseUrl: string;
  appUid: string;
  appSecret: string;
  requestTimeoutMs: number;
  maxRecordingBytes: number;
  /** The first-leg parent form Front takes, and where a switch is remembered (default: `self`, not remembered). */
  firstLegParent?: FirstLegParentPolicy;
}

export interface FirstLegParentPolicy {
  form(): FirstLegParentForm;
  /** True once Front refused the other form: the form is then never switched again. */
  learnt(): boolean;
  learn(form: FirstLegParentForm): void;
}

/** Statuses whose body says what they mean (already applied, or refused and why). */
const READ_BODY_OF = new Set([400, 409]);

/** Errors that mean the request never left: nothing can have reached Front. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_INVALID_URL']);
const MAX_ERROR_BODY = 500;
const MAX_SOCKETS = 64;

/** What a fetch or http error says, without any header or token. */
function describeError(error: unknown): { code: string | null; message: string } {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return { code: 'TIMEOUT', message: 'no answer in time' };
    if (error.name === 'AbortError') return { code: 'ABORTED', message: 'aborted' };
    const own = (error as { code?: unknown }).code;
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const code = typeof own === 'string' ? own : typeof cause?.code === 'string' ? cause.code : null;
    const message = typeof cause?.message === 'string' ? cause.message : error.message;
    return { code, message: code && !message.includes(code) ? `${code}: ${message}` : message };
  }
  return { code: null, message: 'unknown network error' };
}

async function readLimited(response: Response, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function filenameOf(url: string, type: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  if (/^[\w.-]{1,100}\.\w{2,5}$/.test(last)) return last;
  const ext = type.split('/')[1]?.replace(/[^\w]/g, '') || 'audio';
  return `recording.${ext}`;
}

/** multipart/form-data with the fields in order; a file is { filename, type, bytes }. */
function multipart(fields: Array<[string, string | { filename: string; type: string; bytes: Uint8Array }]>): { body: Buffer; contentType: string } {
  const boundary = `----front-calls-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    if (typeof value === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${value.filename}"\r\nContent-Type: ${value.type}\r\n\r\n`),
        Buffer.from(value.bytes),
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function createFrontConnector(options: FrontConnectorOptions): FrontConnector {
  const signer = channelTokenSigner(options.appUid, options.appSecret);
  const base = new URL(options.baseUrl);
  const secure = base.protocol === 'https:';
  // node:http with keep-alive rather than fetch: a third of the CPU per request.
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }) : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  const basePath = base.pathname.replace(/\/+$/, '');

  /** Downloads a recording: exactly one audio/* file no larger than the limit. */
  const fetchRecording = async (url: string, signal: AbortSignal): Promise<{ type: string; bytes: Uint8Array; filename: string } | SendResult> => {
    let response: Response;
    try {
      // Redirects are refused: they could lead off the allowed recording hosts.
      response = await fetch(url, { signal, redirect: 'error' });
    } catch (error) {
      return { type: 'source', retryable: true, message: `recording download failed: ${describeError(error).message}` };
    }
    if (!response.ok) {
      await response.body?.cancel();
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      return { type: 'source', retryable, message: `recording download answered ${response.status}` };
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!/^audio\/[\w.+-]+$/.test(type)) {
      await response.body?.cancel();
      return { type: 'source', retryable: false, message: `the recording is not audio (content-type "${type || 'none'}")` };
    }
    let bytes: Uint8Array<ArrayBuffer> | null;
    try {
      bytes = await readLimited(response, options.maxRecordingBytes);
    } catch (error) {
      return { type: 'source', retryable: true, message: `recording download failed: ${describeError(error).message}` };
    }
    if (bytes === null) return { type: 'source', retryable: false, message: `the recording is larger than ${options.maxRecordingBytes} bytes` };
    if (bytes.byteLength === 0) return { type: 'source', retryable: false, message: 'the recording is empty' };
    return { type, bytes, filename: filenameOf(url, type) };
  };

  /** One request; resolves when the status line and headers arrive. */
  const exchange = (method: string, path: string, headers: Record<string, string>, body: Buffer, outer?: AbortSignal): Promise<SendResult> =>
    new Promise((resolve) => {
      let settled = false;
      const finish = (result: SendResult) => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      const req = (secure ? https : http).request({
        protocol: base.protocol,
        hostname: base.hostname,
        port: base.port || undefined,
        path: `${basePath}${path}`,
        method,
        agent,
        headers: { ...headers, 'content-length': String(body.length) },
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })), options.requestTimeoutMs);
      const onAbort = () => req.destroy(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      outer?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', onAbort);
      };
      req.on('error', (error) => {
        done();
        const { code, message } = describeError(error);
        // Before the request was written, nothing reached Front; after, it may have.
        finish({ type: 'network', mayHaveReached: !(code !== null && NOT_SENT_CODES.has(code)), message });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const text = new Promise<string>((resolveText) => {
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_ERROR_BODY * 4) chunks.push(chunk);
          });
          res.on('end', () => {
            done();
            resolveText(Buffer.concat(chunks).toString('utf8'));
          });
          res.on('error', () => {
            done();
            resolveText('');
          });
          res.on('close', () => {
            done();
            resolveText(Buffer.concat(chunks).toString('utf8'));
          });
        });
        const retryAfter = res.headers['retry-after'];
        finish({
          type: 'response',
          status: res.statusCode ?? 0,
          retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
          // Front's budget, read by the outbox's pacer.
          rateLimit: parseRateLimitHeaders((name) => {
            const value = res.headers[name];
            return typeof value === 'string' ? value : null;
          }),
          readBody: async () => {
            const full = await text;
            return full.length > MAX_ERROR_BODY ? `${full.slice(0, MAX_ERROR_BODY)}…` : full;
          },
        });
      });
      req.end(body);
    });

  let fallbackForm: FirstLegParentForm = 'self';
  let fallbackLearnt = false;
  const parentPolicy: FirstLegParentPolicy = options.firstLegParent ?? {
    form: () => fallbackForm,
    learnt: () => fallbackLearnt,
    learn: (form) => {
      fallbackForm = form;
      fallbackLearnt = true;
    },
  };

  /** One attempt; a 400/409 comes with its body read. */
  const sendOnce = async (request: FrontRequest, signal: AbortSignal | undefined): Promise<SendResult> => {
    const result = await sendRaw(request, signal);
    if (result.type !== 'response' || !READ_BODY_OF.has(result.status)) return result;
    return { ...result, body: await result.readBody() };
  };

  const sendRaw = async (request: FrontRequest, signal: AbortSignal | undefined): Promise<SendResult> => {
      const { method, path } = routeOf(request);
      const headers: Record<string, string> = { accept: 'application/json' };
      let body: Buffer;
      if (request.kind === 'recording') {
        const download = AbortSignal.timeout(options.requestTimeoutMs);
        const recording = await fetchRecording(request.payload.url, signal ? AbortSignal.any([signal, download]) : download);
        if (!('bytes' in recording)) return recording;
        const form = multipart([
          ['attachments', { filename: recording.filename, type: recording.type, bytes: recording.bytes }],
          ['recording_type', request.payload.recording_type],
        ]);
        body = form.body;
        headers['content-type'] = form.contentType;
      } else {
        body = Buffer.from(JSON.stringify(request.payload));
        headers['content-type'] = 'application/json';
      }
      headers.authorization = `Bearer ${await signer.sign(request.channelId)}`;
      return exchange(method, path, headers, body, signal);
  };

  return {
    async send(request, { signal } = {}) {
      if (request.kind !== 'create' || !isFirstLeg(request.payload)) return sendOnce(request, signal);
      const form = parentPolicy.form();
      const result = await sendOnce({ ...request, payload: withFirstLegParent(request.payload, form) }, signal);
      const refusedForParent = result.type === 'response' && result.status === 400 && (result.body ?? '').includes(FIRST_LEG_PARENT_FIELD);
      if (!refusedForParent) return result;
      if (!parentPolicy.learnt()) parentPolicy.learn(otherFirstLegParentForm(form));
      // The form Front was found to take is refused too: a genuine refusal, not a question of form.
      else if (parentPolicy.form() === form) return result;
      // Switched (now, or by a create in flight alongside this one): send it in the form now known.
      return sendOnce({ ...request, payload: withFirstLegParent(request.payload, parentPolicy.form()) }, signal);
    },
    close: () => agent.destroy(),
  };
}

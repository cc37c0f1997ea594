/**
 * A stand-in for Front's Channel API (voice calls), for tests and the local Front workspace demo.
 *
 * It checks every request against the reference (shared/reference/front-channel-calls-api.md):
 * the JWT (HS256 with the app secret; iss = app uid, sub = the channel of the path, jti present
 * and never reused, exp present, in the future and short), the required fields and enum values of
 * each payload (strictly: unknown fields are refused), and that each status update is a valid
 * transition for its call. It answers 202, or 400 with `{ _error: { status, title, message } }`.
 *
 * It records the call conversations with their status timeline, readable at GET /_standin/calls.
 * Faults are injected programmatically ({@link Standin.setFaults}) or over HTTP
 * (POST /_standin/faults): 400 refusals, 5xx, 429 with Retry-After, hangs, lost responses (applied, then the
 * connection is cut), at a rate, optionally only for some operations; `hold` parks every request
 * unanswered and unapplied until released. Nothing about faults is random unless a rate below 1
 * is set; the random source is seeded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isValidTransition, type FrontCallStatus } from '../calls/mapping';
import { verifyChannelToken } from '../front/jwt';
import { bearerToken } from '../http/signature';
import { CreateCallSchema, FaultsSchema, RecordingTypeSchema, SummarySchema, TranscriptSchema, UpdateCallSchema, check } from './schemas';
import { authorizeChannel } from './frontClient';

export type Operation = 'create' | 'status' | 'summary' | 'recording' | 'transcript';
export type FaultKind = '400' | '500' | '502' | '503' | '429' | 'hang' | 'lostResponse' | 'hangAfterApply';

export interface FaultConfig {
  /** Share of Channel API requests that fail, 0 to 1. */
  rate: number;
  /** Which failures, picked at random among these. */
  kinds: FaultKind[];
  /** Only these operations fail (all when empty). */
  operations: Operation[];
  retryAfterSeconds: number;
  seed: number;
  /** Park every request, unanswered and unapplied, until hold is turned off. */
  hold: boolean;
  /** Added before answering each request (ms). */
  latencyMs: number;
}

export interface TimelineEntry {
  status: FrontCallStatus;
  occurredAt: number | null;
  /** Epoch ms (with fractions) when the request arrived. */
  receivedAt: number;
  agentEmail: string | null;
  /** The request was applied and its response then cut (a lost-response fault). */
  responseLost: boolean;
}

export interface StandinCall {
  channelId: string;
  externalCallId: string;
  direction: 'inbound' | 'outbound';
  party: { handle: string; name?: string };
  parentExternalCallId: string | null;
  agentEmail: string | null;
  startedAt: number | null;
  status: FrontCallStatus;
  timeline: TimelineEntry[];
  summaries: Array<{ content: string; receivedAt: number; responseLost: boolean }>;
  recordings: Array<{ recordingType: string; filename: string; contentType: string; size: number; receivedAt: number; responseLost: boolean }>;
  transcripts: Array<{ lines: unknown[]; receivedAt: number; responseLost: boolean }>;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  path: string;
  operation: Operation | null;
  status: number | null;
  reason: string | null;
  fault: FaultKind | 'hold' | 'budget' | null;
}

export interface AppliedEvent {
  operation: Operation;
  channelId: string;
  callId: string;
  status: FrontCallStatus | null;
  receivedAt: number;
}

/**
 * Front's rate limits, enforced when set: per company, `perWindow` requests per window (Front: 50,
 * 100 or 200 a minute; counted in fixed windows aligned to the clock, as `X-RateLimit-Reset`
 * names the next one), and per resource (the channel), `burstPerSecond` in any sliding `windowMs / 60`
 * (a second). Every Channel API answer carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (epoch seconds, with a fraction when the window is compressed); a request
 * over a limit gets 429 with `Retry-After` (seconds) and is not applied (nor counted).
 */
export interface BudgetConfig {
  perWindow: number;
  burstPerSecond: number;
  /** A minute, or less to compress time in tests. */
  windowMs?: number;
}

export interface StandinOptions {
  appUid: string;
  appSecret: string;
  host?: string;
  port?: number;
  faults?: Partial<FaultConfig>;
  /** Called for each applied request (benchmarks). */
  onApplied?: (event: AppliedEvent) => void;
  /** Longest a hang holds a request before cutting it (ms). */
  maxHangMs?: number;
  /** Kept in the request log (the oldest are dropped). */
  maxLoggedRequests?: number;
  /**
   * What a first leg must send as `parent_external_call_id`: `self` (the reference: a required
   * string; the first leg names itself) or `omit` (a Front that wants the field left out and refuses
   * a call naming itself, with a 400 naming the field). Default `self`.
   */
  firstLegParent?: 'self' | 'omit';
  /** Enforce Front's rate limits (off by default). */
  budget?: BudgetConfig;
  /**
   * Front's contacts, for `GET /contacts/alt:phone:<E.164>` (Core API): number → name (`null`: a
   * contact without a name). Default {@link STANDIN_CONTACTS}.
   */
  contacts?: Record<string, string | null>;
  /** The Core API token `/contacts/*` requires (Bearer); without it any bearer token is taken. */
  apiToken?: string;
}

/**
 * The stand-in's Front contacts. +12125550199 is the simulated line's caller without a name (the
 * workspace's "Ring the agent", last caller): Front knows her, the line does not.
 */
export const STANDIN_CONTACTS: Readonly<Record<string, string | null>> = {
  '+12125550199': 'Priya Raman',
  '+14155550123': 'Maria Garcia',
  '+14155550100': 'Jordan Lee',
  '+14155550111': null,
};

export interface Standin {
  url: string;
  calls(): StandinCall[];
  call(externalCallId: string): StandinCall | undefined;
  requests(): RequestLogEntry[];
  faults(): FaultConfig;
  setFaults(faults: Partial<FaultConfig>): FaultConfig;
  /** Changes what a first leg must send as `parent_external_call_id` ({@link StandinOptions.firstLegParent}). */
  setFirstLegParent(form: 'self' | 'omit'): void;
  /** Turns the budget mode on (a config) or off (null); counts start again. */
  setBudget(budget: BudgetConfig | null): void;
  /** Channel API answers by status since the start or the last reset (429s: over the budget). */
  answers(): Record<number, number>;
  /** Requests to `/contacts/*` (Core API) since the start. */
  contactLookups(): number;
  /** Forgets calls, requests, used jtis; turns faults off. */
  reset(): void;
  /** Plays Front adding the channel: signed authorization request to the server's channel URL. */
  authorize(serverUrl: string, channelId: string): Promise<{ webhookUrl: string }>;
  close(): Promise<void>;
}

const NO_FAULTS: FaultConfig = { rate: 0, kinds: ['503'], operations: [], retryAfterSeconds: 1, seed: 1, hold: false, latencyMs: 0 };
const MAX_BODY = 64 * 1024 * 1024;
const MAX_JTIS = 200_000;

/** A small seeded PRNG (mulberry32), so fault patterns repeat. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nowPrecise = () => performance.timeOrigin + performance.now();

/** A tiny MP3-looking payload for the fake recordings. */
function fakeAudio(bytes: number): Buffer {
  const buf = Buffer.alloc(bytes, 0x55);
  buf.write('ID3', 0, 'latin1');
  return buf;
}

type Outcome = { status: 202; record: Lossy } | { status: 400; reason: string };

/** Something recorded for a request, whose `responseLost` can be set once delivery failed. */
interface Lossy {
  responseLost: boolean;
}

export async function startStandin(options: StandinOptions): Promise<Standin> {
  const calls = new Map<string, StandinCall>();
  const log: RequestLogEntry[] = [];
  const jtis = new Set<string>();
  const parked = new Set<() => void>();
  let faults: FaultConfig = { ...NO_FAULTS, ...options.faults };
  let random = seeded(faults.seed);
  const maxHangMs = options.maxHangMs ?? 120_000;
  let firstLegParent = options.firstLegParent ?? 'self';
  const maxLogged = options.maxLoggedRequests ?? 100_000;

  const key = (channelId: string, callId: string) => `${channelId}\u0000${callId}`;

  let budget: BudgetConfig | null = options.budget ?? null;
  let windowStart = 0;
  let windowCount = 0;
  const burstLog = new Map<string, number[]>();
  const answerCounts: Record<number, number> = {};

  /** Counts a request against the budget; the headers to send, and 429's Retry-After when over. */
  const spend = (channelId: string, t: number): { headers: Record<string, string>; retryAfterMs: number | null; over: string | null } => {
    if (!budget) return { headers: {}, retryAfterMs: null, over: null };
    const windowMs = budget.windowMs ?? 60_000;
    const burstMs = windowMs / 60;
    const start = Math.floor(t / windowMs) * windowMs;
    if (start !== windowStart) {
      windowStart = start;
      windowCount = 0;
    }
    const reset = windowStart + windowMs;
    const recent = (burstLog.get(channelId) ?? []).filter((at) => at > t - burstMs);
    burstLog.set(channelId, recent);
    let retryAfterMs: number | null = null;
    let over: string | null = null;
    if (windowCount >= budget.perWindow) {
      retryAfterMs = reset - t;
      over = `over the rate limit (${budget.perWindow} a window)`;
    } else if (recent.length >= budget.burstPerSecond) {
      retryAfterMs = recent[recent.length - budget.burstPerSecond]! + burstMs - t;
      over = `over the burst limit (${budget.burstPerSecond} a ${burstMs} ms)`;
    }
    if (retryAfterMs === null) {
      windowCount++;
      recent.push(t);
    }
    const seconds = (ms: number) => (windowMs % 1000 === 0 && ms >= 1000 ? String(Math.ceil(ms / 1000)) : (Math.ceil(ms) / 1000).toFixed(3));
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(budget.perWindow),
      'x-ratelimit-remaining': String(Math.max(0, budget.perWindow - windowCount)),
      'x-ratelimit-reset': reset % 1000 === 0 ? String(reset / 1000) : (reset / 1000).toFixed(3),
    };
    if (retryAfterMs !== null) headers['retry-after'] = seconds(Math.max(1, retryAfterMs));
    return { headers, retryAfterMs, over };
  };

  const record = (entry: RequestLogEntry) => {
    log.push(entry);
    if (log.length > maxLogged) log.splice(0, log.length - maxLogged);
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  };

  const frontError = (status: number, message: string) => ({
    _error: { status, title: status === 400 ? 'Bad request' : status === 429 ? 'Too many requests' : 'Server error', message },
  });

  const readBody = (req: IncomingMessage): Promise<Buffer | null> =>
    new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
      req.on('error', () => resolve(null));
    });

  const parseJsonBody = (req: IncomingMessage, raw: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return { ok: false, reason: `content-type must be application/json, got "${type}"` };
    try {
      return { ok: true, value: JSON.parse(raw.toString('utf8')) };
    } catch {
      return { ok: false, reason: 'the body is not valid JSON' };
    }
  };

  /** Checks the JWT of a Channel API request for `channelId`. */
  const checkAuth = async (req: IncomingMessage, channelId: string): Promise<string | null> => {
    const token = bearerToken(req.headers.authorization);
    if (!token) return 'authorization: a Bearer JWT is required';
    const result = await verifyChannelToken(token, { appUid: options.appUid, appSecret: options.appSecret, channelId, maxLifetimeSeconds: 300 });
    if (!result.ok) return `authorization: ${result.reason}`;
    if (jtis.has(result.claims.jti)) return 'authorization: jti was already used (replayed token)';
    jtis.add(result.claims.jti);
    if (jtis.size > MAX_JTIS) jtis.delete(jtis.values().next().value!);
    return null;
  };

  /** Applies a valid request; `responseLost` marks what is recorded when its response will be cut. */
  const apply = async (
    operation: Operation,
    req: IncomingMessage,
    raw: Buffer,
    channelId: string,
    callId: string | null,
    receivedAt: number,
    responseLost: boolean,
  ): Promise<Outcome> => {
    const bad = (reason: string): Outcome => ({ status: 400, reason });
    if (operation === 'create') {
      const body = parseJsonBody(req, raw);
      if (!body.ok) return bad(body.reason);
      const parsed = check(CreateCallSchema, body.value);
      if (!parsed.ok) return bad(parsed.reason);
      const c = parsed.value;
      // The reference lists it as a required string (the schema refuses null and any non-string).
      if (firstLegParent === 'self' && c.parent_external_call_id === undefined) return bad('parent_external_call_id is required');
      if (calls.has(key(channelId, c.external_call_id))) return bad(`a call with external_call_id "${c.external_call_id}" already exists`);
      const namesItself = c.parent_external_call_id === c.external_call_id;
      if (c.parent_external_call_id !== undefined && !(namesItself && firstLegParent === 'self') && !calls.has(key(channelId, c.parent_external_call_id))) {
        return bad(`parent_external_call_id "${c.parent_external_call_id}" is not a call of this channel`);
      }
      const record: TimelineEntry = { status: c.initial_status, occurredAt: c.started_at ?? null, receivedAt, agentEmail: c.agent_email_address ?? null, responseLost };
      calls.set(key(channelId, c.external_call_id), {
        channelId,
        externalCallId: c.external_call_id,
        direction: c.direction,
        party: (c.direction === 'inbound' ? c.from : c.to)!,
        parentExternalCallId: c.parent_external_call_id ?? null,
        agentEmail: c.agent_email_address ?? null,
        startedAt: c.started_at ?? null,
        status: c.initial_status,
        timeline: [record],
        summaries: [],
        recordings: [],
        transcripts: [],
      });
      options.onApplied?.({ operation, channelId, callId: c.external_call_id, status: c.initial_status, receivedAt });
      return { status: 202, record };
    }

    const call = calls.get(key(channelId, callId!));
    if (!call) return bad(`no call with external_call_id "${callId}" in this channel`);
    let record: Lossy;
    switch (operation) {
      case 'status': {
        const body = parseJsonBody(req, raw);
        if (!body.ok) return bad(body.reason);
        const parsed = check(UpdateCallSchema, body.value);
        if (!parsed.ok) return bad(parsed.reason);
        const next = parsed.value.call_status;
        if (!isValidTransition(call.status, next)) return bad(`invalid transition: ${call.status} → ${next}`);
        call.status = next;
        const entry: TimelineEntry = { status: next, occurredAt: parsed.value.occurred_at ?? null, receivedAt, agentEmail: parsed.value.agent_email_address ?? null, responseLost };
        call.timeline.push(entry);
        record = entry;
        break;
      }
      case 'summary': {
        const body = parseJsonBody(req, raw);
        if (!body.ok) return bad(body.reason);
        const parsed = check(SummarySchema, body.value);
        if (!parsed.ok) return bad(parsed.reason);
        const summary = { content: parsed.value.content, receivedAt, responseLost };
        call.summaries.push(summary);
        record = summary;
        break;
      }
      case 'transcript': {
        const body = parseJsonBody(req, raw);
        if (!body.ok) return bad(body.reason);
        const parsed = check(TranscriptSchema, body.value);
        if (!parsed.ok) return bad(parsed.reason);
        const transcript = { lines: parsed.value.lines, receivedAt, responseLost };
        call.transcripts.push(transcript);
        record = transcript;
        break;
      }
      case 'recording': {
        const type = req.headers['content-type'] ?? '';
        if (!type.toLowerCase().startsWith('multipart/form-data')) return bad('the recording must be multipart/form-data');
        let form: FormData;
        try {
          form = await new Request('http://standin.invalid/', { method: 'POST', headers: { 'content-type': type }, body: new Uint8Array(raw) }).formData();
        } catch {
          return bad('the multipart body could not be parsed');
        }
        const fields = [...form.keys()];
        const unknown = fields.filter((f) => f !== 'attachments' && f !== 'recording_type');
        if (unknown.length > 0) return bad(`unknown fields: ${unknown.join(', ')}`);
        const files = form.getAll('attachments');
        if (files.length !== 1) return bad('exactly one file is required in `attachments`');
        const file = files[0]!;
        if (typeof file === 'string') return bad('`attachments` must be a file');
        if (!/^audio\//.test(file.type)) return bad(`the attachment must be audio/*, got "${file.type || 'none'}"`);
        if (file.size === 0) return bad('the attachment is empty');
        const recordingType = check(RecordingTypeSchema, form.get('recording_type'));
        if (!recordingType.ok) return bad(`recording_type: ${recordingType.reason}`);
        const recording = { recordingType: recordingType.value, filename: file.name, contentType: file.type, size: file.size, receivedAt, responseLost };
        call.recordings.push(recording);
        record = recording;
        break;
      }
    }
    options.onApplied?.({ operation, channelId, callId: call.externalCallId, status: operation === 'status' ? call.status : null, receivedAt });
    return { status: 202, record };
  };

  const pickFault = (operation: Operation): FaultKind | null => {
    if (faults.rate <= 0 || faults.kinds.length === 0) return null;
    if (faults.operations.length > 0 && !faults.operations.includes(operation)) return null;
    if (random() >= faults.rate) return null;
    return faults.kinds[Math.floor(random() * faults.kinds.length)] ?? null;
  };

  /** Keeps a request open, unanswered, until the client gives up or the hang times out. */
  const hang = (req: IncomingMessage, res: ServerResponse) => {
    const timer = setTimeout(() => res.destroy(), maxHangMs);
    res.on('close', () => clearTimeout(timer));
    req.socket.on('close', () => clearTimeout(timer));
  };

  const route = (method: string, path: string): { operation: Operation; channelId: string; callId: string | null } | null => {
    const m = /^\/channels\/([^/]+)\/calls(?:\/([^/]+)(?:\/(summary|recording|transcript))?)?$/.exec(path);
    if (!m) return null;
    let channelId: string;
    let callId: string | null;
    try {
      channelId = decodeURIComponent(m[1]!);
      callId = m[2] === undefined ? null : decodeURIComponent(m[2]);
    } catch {
      return null;
    }
    const sub = m[3] as 'summary' | 'recording' | 'transcript' | undefined;
    if (callId === null) return method === 'POST' ? { operation: 'create', channelId, callId } : null;
    if (sub === undefined) return method === 'PATCH' ? { operation: 'status', channelId, callId } : null;
    return method === 'POST' ? { operation: sub, channelId, callId } : null;
  };

  const handleChannelApi = async (req: IncomingMessage, res: ServerResponse, r: NonNullable<ReturnType<typeof route>>, path: string) => {
    const receivedAt = nowPrecise();
    const entry: RequestLogEntry = { at: receivedAt, method: req.method ?? '', path, operation: r.operation, status: null, reason: null, fault: null };
    record(entry);
    const spent = spend(r.channelId, receivedAt);
    res.on('finish', () => {
      answerCounts[res.statusCode] = (answerCounts[res.statusCode] ?? 0) + 1;
    });
    for (const [name, value] of Object.entries(spent.headers)) res.setHeader(name, value);
    if (spent.retryAfterMs !== null) {
      await readBody(req);
      entry.status = 429;
      entry.fault = 'budget';
      entry.reason = spent.over;
      sendJson(res, 429, frontError(429, 'rate limit exceeded'));
      return;
    }
    const raw = await readBody(req);
    if (raw === null) {
      entry.status = 400;
      entry.reason = 'body too large or unreadable';
      sendJson(res, 400, frontError(400, entry.reason));
      return;
    }
    if (faults.hold) {
      entry.fault = 'hold';
      await new Promise<void>((resolve) => {
        const release = () => {
          parked.delete(release);
          resolve();
        };
        parked.add(release);
        res.on('close', release);
      });
      if (res.destroyed || req.socket.destroyed) return;
      entry.fault = null;
    }
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    const fault = pickFault(r.operation);
    entry.fault = fault;
    switch (fault) {
      case '400':
        entry.status = 400;
        entry.reason = 'refused (injected)';
        sendJson(res, 400, frontError(400, entry.reason));
        return;
      case '500':
      case '502':
      case '503':
        entry.status = Number(fault);
        sendJson(res, entry.status, frontError(entry.status, 'injected failure'));
        return;
      case '429':
        entry.status = 429;
        sendJson(res, 429, frontError(429, 'rate limited (injected)'), { 'retry-after': String(faults.retryAfterSeconds) });
        return;
      case 'hang':
        hang(req, res);
        return;
      default:
        break;
    }
    const authProblem = await checkAuth(req, r.channelId);
    const responseLost = fault === 'lostResponse' || fault === 'hangAfterApply';
    const outcome: Outcome = authProblem ? { status: 400, reason: authProblem } : await apply(r.operation, req, raw, r.channelId, r.callId, receivedAt, responseLost);
    entry.status = outcome.status;
    entry.reason = outcome.status === 400 ? outcome.reason : null;
    if (outcome.status === 202 && fault === 'lostResponse') {
      res.destroy();
      return;
    }
    if (outcome.status === 202 && fault === 'hangAfterApply') {
      hang(req, res);
      return;
    }
    if (outcome.status === 400) entry.fault = null;
    if (outcome.status === 202) {
      // The client gave up (a timeout) before the answer could be written: it never learns of it.
      const { record } = outcome;
      const markLost = () => {
        if (!res.writableFinished) record.responseLost = true;
      };
      if (res.destroyed || req.socket.destroyed) markLost();
      else res.once('close', markLost);
    }
    sendJson(res, outcome.status, outcome.status === 202 ? { status: 'accepted' } : frontError(400, outcome.reason));
  };

  const readControlJson = async (req: IncomingMessage): Promise<unknown> => {
    const raw = await readBody(req);
    if (!raw || raw.length === 0) return {};
    return JSON.parse(raw.toString('utf8'));
  };

  const contacts = new Map(Object.entries(options.contacts ?? STANDIN_CONTACTS));
  let contactLookups = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const r = route(method, path);
    if (r) {
      handleChannelApi(req, res, r, path).catch(() => sendJson(res, 500, frontError(500, 'stand-in error')));
      return;
    }
    (async () => {
      if (method === 'GET' && path === '/_standin/calls') return sendJson(res, 200, { calls: standin.calls() });
      const one = /^\/_standin\/calls\/([^/]+)$/.exec(path);
      if (method === 'GET' && one) {
        const call = standin.call(decodeURIComponent(one[1]!));
        return call ? sendJson(res, 200, call) : sendJson(res, 404, { error: 'no such call' });
      }
      if (method === 'GET' && path === '/_standin/requests') return sendJson(res, 200, { requests: log });
      if (method === 'GET' && path === '/_standin/faults') return sendJson(res, 200, faults);
      if (method === 'POST' && path === '/_standin/faults') {
        const parsed = check(FaultsSchema, await readControlJson(req));
        if (!parsed.ok) return sendJson(res, 400, { error: parsed.reason });
        return sendJson(res, 200, standin.setFaults(parsed.value));
      }
      if (method === 'POST' && path === '/_standin/reset') {
        standin.reset();
        return sendJson(res, 200, { ok: true });
      }
      if (method === 'POST' && path === '/_standin/authorize') {
        const body = (await readControlJson(req)) as { serverUrl?: unknown; channelId?: unknown };
        if (typeof body.serverUrl !== 'string' || typeof body.channelId !== 'string') {
          return sendJson(res, 400, { error: 'serverUrl and channelId are required' });
        }
        return sendJson(res, 200, await standin.authorize(body.serverUrl, body.channelId));
      }
      const recording = /^\/_standin\/recordings\/([\w.-]+)$/.exec(path);
      if (method === 'GET' && recording) {
        const name = recording[1]!;
        if (name.startsWith('missing')) return sendJson(res, 404, { error: 'no such recording' });
        if (name.startsWith('text')) {
          res.writeHead(200, { 'content-type': 'text/plain' });
          return res.end('not audio');
        }
        const audio = fakeAudio(4096);
        res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(audio.length) });
        return res.end(audio);
      }
      const contact = /^\/contacts\/([^/]+)$/.exec(path);
      if (method === 'GET' && contact) {
        const auth = req.headers.authorization ?? '';
        contactLookups++;
        if (!/^Bearer \S+$/.test(auth) || (options.apiToken !== undefined && auth !== `Bearer ${options.apiToken}`)) {
          return sendJson(res, 401, frontError(401, 'unauthenticated'));
        }
        const alias = /^alt:phone:(\+\d+)$/.exec(decodeURIComponent(contact[1]!));
        const known = alias ? contacts.get(alias[1]!) : undefined;
        if (!alias || known === undefined) return sendJson(res, 404, frontError(404, 'contact not found'));
        return sendJson(res, 200, { id: `crd_${alias[1]!.slice(1)}`, name: known, handles: [{ handle: alias[1], source: 'phone' }] });
      }
      if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
      return sendJson(res, 404, frontError(404, `no route for ${method} ${path}`));
    })().catch((error: unknown) => sendJson(res, 500, { error: error instanceof Error ? error.message : 'error' }));
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const standin: Standin = {
    url,
    calls: () => [...calls.values()],
    call: (externalCallId) => [...calls.values()].find((c) => c.externalCallId === externalCallId),
    requests: () => [...log],
    faults: () => ({ ...faults }),
    setFirstLegParent(form) {
      firstLegParent = form;
    },
    setFaults(next) {
      const wasHolding = faults.hold;
      faults = { ...faults, ...next };
      if (next.seed !== undefined) random = seeded(next.seed);
      if (wasHolding && !faults.hold) for (const release of [...parked]) release();
      return { ...faults };
    },
    setBudget(next) {
      budget = next;
      windowStart = 0;
      windowCount = 0;
      burstLog.clear();
    },
    answers: () => ({ ...answerCounts }),
    contactLookups: () => contactLookups,
    reset() {
      for (const status of Object.keys(answerCounts)) delete answerCounts[Number(status)];
      calls.clear();
      log.length = 0;
      jtis.clear();
      standin.setFaults({ ...NO_FAULTS });
    },
    authorize: (serverUrl, channelId) => authorizeChannel(serverUrl, options.appSecret, channelId),
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of [...parked]) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return standin;
}

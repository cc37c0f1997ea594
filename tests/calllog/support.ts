import { vi } from 'vitest';
import { createCallReporter, memoryReportStore, type CallLogProblem, type CallReporterOptions, type ReportStore } from '../../src/calllog';
import { startDialer } from '../support/machineHarness';
import type { DialerSettings } from '../../src/machine';

export const SERVER = 'https://calls.example.com';
export const TOKEN = 'fct_secret-token-0123456789abcdef';

export interface SeenRequest {
  url: string;
  path: string;
  authorization: string | null;
  body: any;
}

type Responder = (request: SeenRequest) => Response | Promise<Response> | 'network-error';

/**
 * A scriptable call-log server behind `fetch`: records every request; answers 202 unless the
 * test queued other answers with `next(...)` (used in order) or set `always`.
 */
export function fakeServer() {
  const requests: SeenRequest[] = [];
  const queued: Responder[] = [];
  let always: Responder = () => json(202, { status: 'accepted' });
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const request: SeenRequest = {
      url,
      path: new URL(url).pathname,
      authorization: headers.get('authorization'),
      body: JSON.parse(String(init?.body)),
    };
    requests.push(request);
    const answer = await (queued.shift() ?? always)(request);
    if (answer === 'network-error') throw new TypeError('Failed to fetch');
    return answer;
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    requests,
    next(...responders: Responder[]) {
      queued.push(...responders);
    },
    setAlways(responder: Responder) {
      always = responder;
    },
    /** Event types (or path names) in the order they were sent. */
    sent: () => requests.map((r) => (r.path === '/v1/calls/events' ? r.body.type : r.path.replace('/v1/calls/', ''))),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A dialer over a FakeLine with a reporter on it. */
export function startReporting(
  options: Partial<CallReporterOptions> & { server?: ReturnType<typeof fakeServer>; db?: ReportStore | Promise<ReportStore> } = {},
  settings: Partial<DialerSettings> = {},
) {
  const dialer = startDialer({ settings });
  const server = options.server ?? fakeServer();
  const problems: CallLogProblem[] = [];
  const reporter = createCallReporter({
    dialer: dialer.actor,
    settings: () => ({ url: SERVER, token: TOKEN }),
    fetch: server.fetch,
    db: options.db ?? memoryReportStore(),
    random: () => 0.5,
    onProblem: (p) => problems.push(p),
    ...options,
  });
  return { dialer, server, reporter, problems };
}

/** Lets promises (stored reports, fetches) settle; with fake timers, also advances time. */
export async function flush(ms = 0): Promise<void> {
  if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(ms);
  else for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
}

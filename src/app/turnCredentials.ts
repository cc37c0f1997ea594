/**
 * Short-lived TURN credentials from the call-logging server (GET /v1/turn-credentials, with the
 * teammate's call-log token; the server mints them in the TURN REST scheme coturn checks with
 * `use-auth-secret`). The owner tab fetches them when the SIP line starts and again when three
 * quarters of their lifetime have passed, so new calls and ICE restarts always get valid ones;
 * the TURN secret itself never leaves the server. Loaded with the line choice, off the first render.
 *
 * - 200: the credentials go to `onServers` as one RTCIceServer; the next fetch is scheduled.
 * - 401 / 403 (token refused) and 404 (the server offers no TURN): no more fetches, said once.
 * - network errors and other statuses: tried again after 5 s, doubling up to 5 minutes.
 * The token travels in the Authorization header only, never in the URL or a log line.
 */
import * as v from 'valibot';

export const TURN_CREDENTIALS_PATH = '/v1/turn-credentials';

const TurnCredentialsSchema = v.object({
  urls: v.pipe(v.array(v.pipe(v.string(), v.regex(/^(turns?|stuns?):[^\s,]+$/), v.maxLength(500))), v.minLength(1), v.maxLength(10)),
  username: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
  credential: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
  ttlSeconds: v.pipe(v.number(), v.integer(), v.minValue(1)),
  expiresAt: v.optional(v.string()),
});

const RETRY_FIRST_MS = 5000;
const RETRY_MAX_MS = 5 * 60_000;
/** Never sooner than this between two successful fetches, whatever the TTL. */
const MIN_REFRESH_MS = 1000;

/** When to fetch again after receiving credentials valid `ttlSeconds`: at three quarters of it. */
export function turnRefreshDelayMs(ttlSeconds: number): number {
  return Math.max(MIN_REFRESH_MS, Math.floor(ttlSeconds * 750));
}

/** When to try again after the `attempt`-th failure in a row (1, 2, ...): 5 s doubling to 5 min. */
export function turnRetryDelayMs(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempt - 1));
}

export interface TurnCredentialsOptions {
  /** The call-logging server and the teammate's token, as now; null: not configured (no fetch). */
  readonly server: () => { readonly url: string; readonly token: string } | null;
  /** The fresh TURN server (one RTCIceServer with its credentials). */
  readonly onServers: (servers: RTCIceServer[]) => void;
  /** Says why there are no TURN credentials (never with the token or the credential). */
  readonly onProblem?: (message: string) => void;
  readonly fetch?: (url: string, init: RequestInit) => Promise<Pick<Response, 'status' | 'ok' | 'json'>>;
}

/** Starts fetching; returns the stop. */
export function startTurnCredentials({ server, onServers, onProblem = () => {}, fetch: fetcher = (url, init) => fetch(url, init) }: TurnCredentialsOptions): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failures = 0;

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void attempt();
    }, ms);
  };

  const failed = (message: string) => {
    failures += 1;
    const delay = turnRetryDelayMs(failures);
    onProblem(`${message} Trying again in ${Math.round(delay / 1000)} s.`);
    schedule(delay);
  };

  async function attempt(): Promise<void> {
    const target = server();
    if (stopped || !target) return;
    let response: Pick<Response, 'status' | 'ok' | 'json'>;
    try {
      response = await fetcher(`${target.url}${TURN_CREDENTIALS_PATH}`, {
        headers: { authorization: `Bearer ${target.token}` },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      if (!stopped) failed('TURN credentials could not be fetched from the call-logging server (network).');
      return;
    }
    if (stopped) return;
    if (response.status === 404) {
      onProblem('The call-logging server issues no TURN credentials; calls use the ICE servers of the settings only.');
      return;
    }
    if (response.status === 401 || response.status === 403) {
      onProblem('The call-logging server refused the token for TURN credentials; check the call log settings.');
      return;
    }
    if (!response.ok) {
      failed(`The call-logging server answered HTTP ${response.status} for TURN credentials.`);
      return;
    }
    let parsed;
    try {
      parsed = v.safeParse(TurnCredentialsSchema, await response.json());
    } catch {
      parsed = null;
    }
    if (stopped) return;
    if (!parsed?.success) {
      failed('The call-logging server sent TURN credentials this plugin cannot read.');
      return;
    }
    failures = 0;
    const { urls, username, credential, ttlSeconds } = parsed.output;
    onServers([{ urls, username, credential }]);
    schedule(turnRefreshDelayMs(ttlSeconds));
  }

  void attempt();
  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
}

/**
 * `npm run standin`: the Front stand-in on its own, for the local workspace demo.
 *
 *   FRONT_APP_UID, FRONT_APP_SECRET   the same values the server uses (required)
 *   STANDIN_HOST (127.0.0.1), STANDIN_PORT (8788)
 *   STANDIN_FAULT_RATE (0), STANDIN_FAULT_KINDS (503,429,hang), STANDIN_RETRY_AFTER (1)
 *   STANDIN_RATE_LIMIT_PER_MINUTE, STANDIN_BURST_PER_SECOND (5): Front's rate limits (off unless set)
 *
 * Point the server at it with FRONT_API_BASE_URL=http://127.0.0.1:8788, then let it "add the
 * channel": POST /_standin/authorize { "serverUrl": "http://127.0.0.1:8787", "channelId": "cha_demo" }.
 */
import { startStandin, type FaultKind } from './standin';

const env = process.env;
const appUid = env.FRONT_APP_UID?.trim();
const appSecret = env.FRONT_APP_SECRET?.trim();
if (!appUid || !appSecret) {
  process.stderr.write('FRONT_APP_UID and FRONT_APP_SECRET are required (the same values the server uses).\n');
  process.exit(1);
}

const standin = await startStandin({
  appUid,
  appSecret,
  host: env.STANDIN_HOST ?? '127.0.0.1',
  port: Number(env.STANDIN_PORT ?? 8788),
  faults: {
    rate: Number(env.STANDIN_FAULT_RATE ?? 0),
    kinds: (env.STANDIN_FAULT_KINDS ?? '503,429,hang').split(',').map((k) => k.trim()) as FaultKind[],
    retryAfterSeconds: Number(env.STANDIN_RETRY_AFTER ?? 1),
  },
  ...(env.STANDIN_RATE_LIMIT_PER_MINUTE
    ? { budget: { perWindow: Number(env.STANDIN_RATE_LIMIT_PER_MINUTE), burstPerSecond: Number(env.STANDIN_BURST_PER_SECOND ?? 5) } }
    : {}),
});
process.stdout.write(`${JSON.stringify({ msg: 'front stand-in listening', url: standin.url })}\n`);
const stop = () => void standin.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

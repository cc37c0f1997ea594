/**
 * Front's side of the channel endpoints, for tests and the local demo: signed requests to the
 * server's channel URL and webhook URL, exactly as Front signs them.
 */
import { signBody } from '../http/signature';

export interface FrontSignedResponse {
  status: number;
  body: unknown;
}

let lastTimestamp = 0;
/** Now in ms, never twice the same: two identical requests in one millisecond would be one signature (a replay). */
const freshTimestamp = () => (lastTimestamp = Math.max(Date.now(), lastTimestamp + 1));

/**
 * Sends `body` to `url` signed with the app secret (X-Front-Signature, X-Front-Request-Timestamp).
 * `body: undefined` sends no body, signed over the string `undefined` as Front does for GET and DELETE.
 */
export async function sendAsFront(
  url: string,
  body: unknown,
  appSecret: string,
  options: { timestamp?: number; method?: 'POST' | 'DELETE' | 'GET'; tamper?: (raw: string) => string; headers?: Record<string, string> } = {},
): Promise<FrontSignedResponse> {
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? freshTimestamp());
  const signature = signBody(appSecret, timestamp, raw ?? 'undefined');
  const headers: Record<string, string> = { 'x-front-request-timestamp': timestamp, 'x-front-signature': signature, ...options.headers };
  if (raw !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers,
    ...(raw !== undefined ? { body: options.tamper ? options.tamper(raw) : raw } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** What Front does when a teammate adds the channel: the authorization request. */
export async function authorizeChannel(serverUrl: string, appSecret: string, channelId: string): Promise<{ webhookUrl: string }> {
  const response = await sendAsFront(`${serverUrl}/front/channel`, { type: 'authorization', payload: { channel_id: channelId } }, appSecret);
  const body = response.body as { type?: string; webhook_url?: string };
  if (response.status !== 200 || body.type !== 'success' || typeof body.webhook_url !== 'string') {
    throw new Error(`authorization refused: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return { webhookUrl: body.webhook_url };
}

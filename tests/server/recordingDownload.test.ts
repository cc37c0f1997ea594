// @vitest-environment node
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrontConnector, type FrontConnector } from '../../server/front/connector';
import { APP_SECRET, APP_UID } from './support';

// The server downloads a recording from a URL the plugin reported (on an allowed prefix) and
// uploads it to Front. These guard what it downloads: nothing reached through a redirect (it could
// lead off the allowed hosts), nothing but audio, nothing larger than the limit.

const LIMIT = 2_048;
let front: http.Server;
let frontUrl = '';
let frontRequests = 0;
let source: http.Server;
let sourceUrl = '';
let connector: FrontConnector;

const listen = async (server: http.Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  front = http.createServer((req, res) => {
    frontRequests += 1;
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'));
  });
  frontUrl = await listen(front);
  source = http.createServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/redirect') return res.writeHead(302, { location: `${sourceUrl}/audio` }).end();
    if (path === '/audio') return res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.alloc(512, 1));
    if (path === '/big') {
      // Streamed without a content-length: the limit must hold while reading.
      res.writeHead(200, { 'content-type': 'audio/mpeg' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1_024, 1));
      return res.end();
    }
    if (path === '/empty') return res.writeHead(200, { 'content-type': 'audio/mpeg' }).end();
    if (path === '/html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<script>alert(1)</script>');
    res.writeHead(404).end();
  });
  sourceUrl = await listen(source);
  connector = createFrontConnector({ baseUrl: frontUrl, appUid: APP_UID, appSecret: APP_SECRET, requestTimeoutMs: 2_000, maxRecordingBytes: LIMIT });
});

afterAll(async () => {
  connector.close();
  await new Promise((r) => front.close(r));
  await new Promise((r) => source.close(r));
});

const sendRecording = (path: string) =>
  connector.send({ kind: 'recording', channelId: 'cha_1', callId: 'call-1', payload: { url: `${sourceUrl}${path}`, recording_type: 'call' } });

describe('downloading a recording for Front', () => {
  it('uploads a small audio file to Front', async () => {
    const before = frontRequests;
    expect(await sendRecording('/audio')).toMatchObject({ type: 'response', status: 202 });
    expect(frontRequests).toBe(before + 1);
  });

  // Proved: `redirect: 'error'` changed to 'follow' in server/front/connector.ts makes this fail (2026-12-02).
  it('refuses a recording URL that redirects, and sends nothing to Front', async () => {
    const before = frontRequests;
    expect(await sendRecording('/redirect')).toMatchObject({ type: 'source', retryable: true, message: expect.stringMatching(/download failed/) });
    expect(frontRequests).toBe(before);
  });

  // Proved: removing the `size > max` check of readLimited in server/front/connector.ts makes this fail (2026-12-02).
  it('refuses a recording larger than the limit, even without a content-length, and sends nothing to Front', async () => {
    const before = frontRequests;
    expect(await sendRecording('/big')).toEqual({ type: 'source', retryable: false, message: `the recording is larger than ${LIMIT} bytes` });
    expect(frontRequests).toBe(before);
  });

  // Proved: removing the audio/* content-type check in server/front/connector.ts makes this fail (2026-12-02).
  it('refuses a download that is not audio, and sends nothing to Front', async () => {
    const before = frontRequests;
    expect(await sendRecording('/html')).toMatchObject({ type: 'source', retryable: false, message: expect.stringMatching(/not audio/) });
    expect(frontRequests).toBe(before);
  });

  // Proved: removing the empty-recording check in server/front/connector.ts makes this fail (2026-12-02).
  it('refuses an empty recording, and sends nothing to Front', async () => {
    const before = frontRequests;
    expect(await sendRecording('/empty')).toEqual({ type: 'source', retryable: false, message: 'the recording is empty' });
    expect(frontRequests).toBe(before);
  });
});

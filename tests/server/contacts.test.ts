// @vitest-environment node
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../server';
import { phoneOfQuery } from '../../server/api/contactRoutes';
import { createContactLookup, nameOfContact } from '../../server/front/contacts';
import { createLogger } from '../../server/log';
import { createPacer } from '../../server/outbox/pacer';
import { startStandin, type Standin } from '../../server/standin/standin';
import { APP_SECRET, APP_UID, createTeammate, request, serverEnv, spawnServer, tempDir, type ChildServer } from './support';

const API_TOKEN = 'front-core-api-token-5e6f7a8b9c';
const silent = createLogger({ level: 'silent' });
const openPacer = () => createPacer({ perWindow: 1_000_000, burst: 100_000 });

describe('the lookup query', () => {
  const q = (query: string) => phoneOfQuery(new URLSearchParams(query));

  it('takes exactly one E.164 phone, a raw + (decoded as a space) read back as +', () => {
    expect(q('phone=%2B14155550100')).toBe('+14155550100');
    expect(q('phone=+14155550100')).toBe('+14155550100');
  });

  // Proved: dropping the isE164 check in phoneOfQuery makes this fail.
  it.each(['phone=', 'phone=4155550100', 'phone=%2B0123456', 'phone=%2B1415555010012345', 'phone=%2B1415abc0100', 'phone=%2B1&phone=%2B2', 'number=%2B14155550100', 'phone=%2B14155550100&x=1', ''])(
    'refuses %j with 400 invalid_phone',
    (query) => {
      expect(() => q(query)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_phone' }));
    },
  );
});

describe("Front's contact, mapped", () => {
  it('gives a clean, capped name, or none', () => {
    expect(nameOfContact({ id: 'crd_1', name: '  Jordan\n Lee ' })).toBe('Jordan Lee');
    expect(nameOfContact({ id: 'crd_1', name: 'x'.repeat(500) })).toHaveLength(200);
    expect(nameOfContact({ id: 'crd_1', name: null })).toBeNull();
    expect(nameOfContact({ id: 'crd_1', name: '   ' })).toBeNull();
    expect(nameOfContact({ id: 'crd_1' })).toBeNull();
    expect(nameOfContact('Jordan')).toBeNull();
  });
});

describe('the contact lookup against the stand-in', () => {
  let standin: Standin;
  beforeAll(async () => {
    standin = await startStandin({ appUid: APP_UID, appSecret: APP_SECRET, apiToken: API_TOKEN });
  });
  afterAll(() => standin?.close());

  it("asks Front by the phone handle alias and maps found, nameless and unknown contacts", async () => {
    const lookup = createContactLookup({ baseUrl: standin.url, apiToken: API_TOKEN, requestTimeoutMs: 2_000, pacer: openPacer(), logger: silent, ttlMs: 60_000 });
    expect(await lookup.lookup('+12125550199')).toEqual({ type: 'found', name: 'Priya Raman' });
    expect(await lookup.lookup('+14155550111')).toEqual({ type: 'unknown' });
    expect(await lookup.lookup('+14155559876')).toEqual({ type: 'unknown' });
  });

  // Proved: not setting the cache (cache.set in contacts.ts) makes this fail.
  it('keeps answers per number for the TTL, and one request serves concurrent lookups', async () => {
    const lookup = createContactLookup({ baseUrl: standin.url, apiToken: API_TOKEN, requestTimeoutMs: 2_000, pacer: openPacer(), logger: silent, ttlMs: 60_000 });
    const before = standin.contactLookups();
    const [a, b] = await Promise.all([lookup.lookup('+14155550123'), lookup.lookup('+14155550123')]);
    expect(a).toEqual({ type: 'found', name: 'Maria Garcia' });
    expect(b).toEqual(a);
    await lookup.lookup('+14155550123');
    await lookup.lookup('+14155559999');
    await lookup.lookup('+14155559999');
    expect(standin.contactLookups() - before).toBe(2);
  });

  it('is unavailable, and not cached, when Front refuses the token', async () => {
    const lookup = createContactLookup({ baseUrl: standin.url, apiToken: 'wrong-token-0123456789', requestTimeoutMs: 2_000, pacer: openPacer(), logger: silent, ttlMs: 60_000 });
    const before = standin.contactLookups();
    expect(await lookup.lookup('+12125550199')).toEqual({ type: 'unavailable', reason: 'front_401' });
    expect(await lookup.lookup('+12125550199')).toEqual({ type: 'unavailable', reason: 'front_401' });
    expect(standin.contactLookups() - before).toBe(2);
  });

  // Proved: dropping the pacer.delayFor check in contacts.ts makes this fail (Front is asked).
  it("counts against Front's budget and does not ask Front when it is spent", async () => {
    const pacer = createPacer({ perWindow: 1, burst: 100 });
    const lookup = createContactLookup({ baseUrl: standin.url, apiToken: API_TOKEN, requestTimeoutMs: 2_000, pacer, logger: silent, ttlMs: 60_000 });
    const before = standin.contactLookups();
    expect(await lookup.lookup('+14155550100')).toEqual({ type: 'found', name: 'Jordan Lee' });
    expect(pacer.state().sentInWindow).toBe(1);
    expect(await lookup.lookup('+12125550199')).toEqual({ type: 'unavailable', reason: 'rate_budget' });
    expect(standin.contactLookups() - before).toBe(1);
  });
});

describe('FRONT_API_TOKEN', () => {
  const base = serverEnv('/tmp', 'http://127.0.0.1:1');
  it('is optional, at least 16 characters, and described redacted', () => {
    expect(loadConfig(base).frontApiToken).toBeNull();
    expect(() => loadConfig({ ...base, FRONT_API_TOKEN: 'short' })).toThrow(/FRONT_API_TOKEN is too short/);
    const config = loadConfig({ ...base, FRONT_API_TOKEN: API_TOKEN });
    expect(config.frontApiToken).toBe(API_TOKEN);
    // Proved: dropping `frontApiToken: '[redacted]'` from describeConfig makes this fail.
    expect(JSON.stringify(describeConfig(config))).not.toContain(API_TOKEN);
  });
});

describe('GET /v1/contacts/lookup on the real server', () => {
  let standin: Standin;
  let server: ChildServer;
  let unconfigured: ChildServer;
  let token: string;
  const dir = tempDir();
  const dir2 = tempDir();

  beforeAll(async () => {
    standin = await startStandin({ appUid: APP_UID, appSecret: APP_SECRET, apiToken: API_TOKEN });
    server = await spawnServer(serverEnv(dir.path, standin.url, { FRONT_API_TOKEN: API_TOKEN, LOG_LEVEL: 'debug' }));
    unconfigured = await spawnServer(serverEnv(dir2.path, standin.url));
    token = await createTeammate(server.url, 'ada@example.com');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await unconfigured?.stop();
    await standin?.close();
    dir.remove();
    dir2.remove();
  });

  const lookup = (phone: string, bearer?: string) => request(`${server.url}/v1/contacts/lookup?phone=${encodeURIComponent(phone)}`, bearer ? { token: bearer } : {});

  // Proved: removing the `before: authenticateTeammate` option in contactRoutes.ts makes this fail.
  it('answers 401 without a teammate token, before asking Front', async () => {
    const before = standin.contactLookups();
    expect((await lookup('+12125550199')).status).toBe(401);
    const wrong = await lookup('+12125550199', 'fst_not-a-real-token');
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toHaveProperty('name');
    expect(standin.contactLookups()).toBe(before);
  });

  it('answers 400 for a bad number, without asking Front', async () => {
    const before = standin.contactLookups();
    const bad = await lookup('4155550100', token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_phone');
    expect(standin.contactLookups()).toBe(before);
  });

  it("answers the name Front gives, 404 for no contact, never cached by the browser", async () => {
    const found = await lookup('+12125550199', token);
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ name: 'Priya Raman' });
    expect(found.headers.get('cache-control')).toBe('no-store');
    const raw = await request(`${server.url}/v1/contacts/lookup?phone=+14155550100`, { token });
    expect(raw.body).toEqual({ name: 'Jordan Lee' });
    const unknown = await lookup('+14155557777', token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('contact_not_found');
  });

  it('answers 404 contacts_not_configured without FRONT_API_TOKEN', async () => {
    const other = await createTeammate(unconfigured.url, 'ada@example.com');
    const res = await request(`${unconfigured.url}/v1/contacts/lookup?phone=%2B12125550199`, { token: other });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('contacts_not_configured');
  });

  it('never puts the Front API token in a log line', async () => {
    expect(server.output()).toContain('server listening');
    expect(server.output()).not.toContain(API_TOKEN);
  });
});

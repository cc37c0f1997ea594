import { describe, expect, it } from 'vitest';
import { validateSipAccount } from '../../src/telephony/sip';

const VALID = {
  websocketUrl: 'wss://pbx.example.com:8089/ws',
  sipUri: 'sip:1001@pbx.example.com',
  password: 'correct horse battery staple',
};

describe('validating the SIP account', () => {
  it('accepts a complete account, trimming everything but the password', () => {
    expect(
      validateSipAccount({ ...VALID, websocketUrl: ` ${VALID.websocketUrl} `, sipUri: ` ${VALID.sipUri}`, authorizationUser: ' agent1001 ', displayName: ' Alex ', password: ' pw ' }),
    ).toEqual({
      ok: true,
      account: { websocketUrl: VALID.websocketUrl, sipUri: VALID.sipUri, authorizationUser: 'agent1001', displayName: 'Alex', password: ' pw ' },
    });
  });

  it('leaves out empty optional fields', () => {
    expect(validateSipAccount({ ...VALID, authorizationUser: '', displayName: '' })).toEqual({ ok: true, account: VALID });
  });

  // Proved: removing the ws://-only-on-loopback check in src/telephony/sip/account.ts makes this fail (2026-12-02).
  it('allows ws:// only for a server on this computer', () => {
    expect(validateSipAccount({ ...VALID, websocketUrl: 'ws://127.0.0.1:8080' }).ok).toBe(true);
    expect(validateSipAccount({ ...VALID, websocketUrl: 'ws://localhost:8080/ws' }).ok).toBe(true);
    expect(validateSipAccount({ ...VALID, websocketUrl: 'ws://[::1]:8080' }).ok).toBe(true);
    expect(validateSipAccount({ ...VALID, websocketUrl: 'ws://pbx.example.com/ws' })).toEqual({
      ok: false,
      errors: { websocketUrl: 'Use wss:// (an encrypted connection); ws:// is only allowed for a server on this computer.' },
    });
  });

  // Proved: removing the user-name/password-in-URL check in src/telephony/sip/account.ts makes the
  // "wss://1001:secret@..." row fail (2026-12-02).
  it.each([
    ['', 'Enter the WebSocket URL'],
    ['https://pbx.example.com', 'must start with wss://'],
    ['not a url', 'not a valid URL'],
    ['wss://1001:secret@pbx.example.com/ws', 'Remove the user name and password'],
    [`wss://pbx.example.com/${'x'.repeat(2000)}`, 'too long'],
  ])('refuses the WebSocket URL %j', (websocketUrl, message) => {
    const result = validateSipAccount({ ...VALID, websocketUrl });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.websocketUrl).toContain(message);
  });

  it.each([
    ['', 'Enter your SIP address'],
    ['1001@pbx.example.com', 'must look like sip:'],
    ['sip:pbx.example.com', 'must look like sip:'],
    ['sip:alice@pbx.example.com', 'extension or phone number'],
    ['sip:1001@pbx.example.com:99999', 'must look like sip:'],
    [`sip:1001@${'a'.repeat(300)}.com`, 'too long'],
  ])('refuses the SIP address %j', (sipUri, message) => {
    const result = validateSipAccount({ ...VALID, sipUri });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.sipUri).toContain(message);
  });

  it('accepts E.164 and extension users, with a port', () => {
    expect(validateSipAccount({ ...VALID, sipUri: 'sip:+14155550100@pbx.example.com' }).ok).toBe(true);
    expect(validateSipAccount({ ...VALID, sipUri: 'sip:42@10.0.0.5:5060' }).ok).toBe(true);
  });

  // Proved (2026-12-02): in src/telephony/sip/account.ts, removing the password's control-character check,
  // or putting the password into the too-long message, makes this fail.
  it('requires a password and never repeats it in a message', () => {
    const secret = 'p\nsecret';
    const result = validateSipAccount({ ...VALID, password: secret });
    expect(result).toEqual({ ok: false, errors: { password: 'The password must not contain line breaks or control characters.' } });
    expect(JSON.stringify(validateSipAccount({ ...VALID, password: '' }))).toContain('Enter the password');
    expect(JSON.stringify(validateSipAccount({ ...VALID, password: 'x'.repeat(300) }))).not.toContain('xxx');
  });

  it('refuses an authorization user or display name that would break the SIP headers', () => {
    expect(validateSipAccount({ ...VALID, authorizationUser: 'a b' })).toMatchObject({ ok: false, errors: { authorizationUser: expect.any(String) } });
    expect(validateSipAccount({ ...VALID, displayName: 'Alex "the agent"' })).toMatchObject({ ok: false, errors: { displayName: expect.any(String) } });
    expect(validateSipAccount({ ...VALID, displayName: 'x'.repeat(101) })).toMatchObject({ ok: false, errors: { displayName: expect.any(String) } });
  });

  // Proved: removing the control-character check of checkOptionalText in src/telephony/sip/account.ts
  // makes this fail (2026-12-02); the test above is caught by the space and quote rules instead.
  it('refuses a display name with a line break inside, which would start a new SIP header', () => {
    expect(validateSipAccount({ ...VALID, displayName: 'Ada\r\nVia: SIP/2.0/WSS evil.example' })).toEqual({
      ok: false,
      errors: { displayName: 'The display name must not contain line breaks or control characters.' },
    });
  });

  it('reports every wrong field at once, and survives input that is not an object', () => {
    expect(validateSipAccount(null)).toEqual({
      ok: false,
      errors: { websocketUrl: expect.any(String), sipUri: expect.any(String), password: expect.any(String) },
    });
    expect(validateSipAccount({ websocketUrl: 42, sipUri: {}, password: 7 }).ok).toBe(false);
  });

  it('takes the teammate STUN servers, trimmed, blank lines dropped', () => {
    expect(validateSipAccount({ ...VALID, iceServers: [' stun:stun.example.com:3478 ', '', 'stuns:stun.example.com'] })).toMatchObject({
      ok: true,
      account: { iceServers: ['stun:stun.example.com:3478', 'stuns:stun.example.com'] },
    });
    expect(validateSipAccount({ ...VALID, iceServers: [] })).toEqual({ ok: true, account: expect.not.objectContaining({ iceServers: expect.anything() }) });
  });

  it.each([
    [['turn:turn.example.com:3478'], /TURN needs credentials/],
    [['http://stun.example.com'], /is not a STUN URL/],
    [['stun:a', 'stun:b', 'stun:c', 'stun:d', 'stun:e', 'stun:f'], /at most 5/],
    ['stun:stun.example.com', /list of URLs/],
  ])('refuses ICE servers %j', (iceServers, error) => {
    const result = validateSipAccount({ ...VALID, iceServers });
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors.iceServers).toMatch(error);
  });
});

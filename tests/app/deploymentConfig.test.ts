import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, dialRules, loadDeploymentConfig } from '../../src/app/deploymentConfig';

const respond = (status: number, body: unknown) => async () => ({ ok: status >= 200 && status < 300, status, json: async () => body });

describe('the deployment config beside the plugin', () => {
  it('reads the default region, SIP and server defaults', async () => {
    const result = await loadDeploymentConfig(
      respond(200, { defaultRegion: 'gb', sip: { websocketUrl: 'wss://sip.example.com/ws', domain: 'example.com' }, server: { url: 'https://calls.example.com' } }),
    );
    expect(result).toEqual({
      config: {
        defaultRegion: 'GB',
        sip: { websocketUrl: 'wss://sip.example.com/ws', domain: 'example.com' },
        server: { url: 'https://calls.example.com' },
        extensions: null,
        simulatedLine: true,
        demo: false,
        directory: [],
      },
      problem: null,
    });
  });

  it('reads the extension rule, whether the simulated line is offered, and whether this is a demo', async () => {
    const result = await loadDeploymentConfig(respond(200, { extensions: { minDigits: 2, maxDigits: 6 }, simulatedLine: false, demo: true }));
    expect(result.problem).toBeNull();
    expect(result.config).toMatchObject({ extensions: { minDigits: 2, maxDigits: 6 }, simulatedLine: false, demo: true });
    expect(dialRules(result.config)).toEqual({ region: 'US', extensions: { minDigits: 2, maxDigits: 6 } });
  });

  it('by default: no extensions, the simulated line offered, not a demo (simulated calls are not logged)', () => {
    expect(DEFAULT_CONFIG).toMatchObject({ extensions: null, simulatedLine: true, demo: false });
  });

  it('passes sip.iceServers on exactly as written, static TURN credentials included', async () => {
    const iceServers = [
      { urls: 'stun:stun.example.com:3478' },
      { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'], username: 'softphone', credential: 'static-turn-pass' },
    ];
    const result = await loadDeploymentConfig(respond(200, { sip: { iceServers } }));
    expect(result).toEqual({ config: { ...DEFAULT_CONFIG, sip: { iceServers } }, problem: null });
  });

  // Proved: dropping the TURN username / credential check in src/app/deploymentConfig.ts makes the third row fail.
  it.each([
    [{ sip: { iceServers: [{ urls: 'http://stun.example.com' }] } }, /sip\.iceServers\.0\.urls/],
    [{ sip: { iceServers: [{ urls: 'stun:stun.example.com', password: 'x' }] } }, /sip\.iceServers\.0/],
    [{ sip: { iceServers: [{ urls: 'turn:turn.example.com' }] } }, /TURN server needs a username and a credential/],
    [{ sip: { iceServers: 'stun:stun.example.com' } }, /sip\.iceServers/],
  ])('refuses ICE servers a browser could not use (%j), reported, defaults used', async (body, problem) => {
    const result = await loadDeploymentConfig(respond(200, body));
    expect(result.config).toEqual(DEFAULT_CONFIG);
    expect(result.problem).toMatch(problem);
  });

  it('a missing file means the defaults, silently', async () => {
    expect(await loadDeploymentConfig(respond(404, null))).toEqual({ config: DEFAULT_CONFIG, problem: null });
  });

  // Proved (2026-12-02): in src/app/deploymentConfig.ts, returning the file as read when it is invalid,
  // dropping the defaultRegion pattern, or dropping the wss?:// pattern of sip.websocketUrl each makes
  // a row here fail.
  it.each([
    [{ defaultRegion: 'United States' }, /defaultRegion/],
    [{ sip: { websocketUrl: 'http://x' } }, /sip\.websocketUrl/],
    ['not an object', /invalid/],
    [{ extensions: { minDigits: 6, maxDigits: 2 } }, /extensions/],
    [{ extensions: { minDigits: 1, maxDigits: 4 } }, /extensions\.minDigits/],
    [{ extensions: { minDigits: 3, maxDigits: 12 } }, /extensions\.maxDigits/],
    [{ demo: 'yes' }, /demo/],
    [{ simulatedLine: 'no' }, /simulatedLine/],
  ])('a malformed file (%j) is reported and the defaults are used', async (body, problem) => {
    const result = await loadDeploymentConfig(respond(200, body));
    expect(result.config).toEqual(DEFAULT_CONFIG);
    expect(result.problem).toMatch(problem);
  });

  // Proved: dropping the https?:// pattern of server.url in src/app/deploymentConfig.ts makes this fail (2026-12-02).
  it('a server URL that is not http(s) is reported and the defaults are used', async () => {
    const result = await loadDeploymentConfig(respond(200, { server: { url: 'javascript:alert(1)' } }));
    expect(result.config).toEqual(DEFAULT_CONFIG);
    expect(result.problem).toMatch(/server\.url/);
  });

  it('a network failure is reported and the defaults are used', async () => {
    const result = await loadDeploymentConfig(async () => {
      throw new Error('offline');
    });
    expect(result).toEqual({ config: DEFAULT_CONFIG, problem: 'softphone.config.json could not be read: offline' });
  });

  it('reads the teammate directory: emails with a number or extension', async () => {
    const directory = [
      { email: 'priya@acme.example', number: '+1 415 555 0142' },
      { email: 'tom@acme.example', number: '204' },
    ];
    const result = await loadDeploymentConfig(respond(200, { directory }));
    expect(result).toEqual({ config: { ...DEFAULT_CONFIG, directory }, problem: null });
  });

  // Proved: replacing the directory's number regex with v.string() makes the first row pass as valid.
  it.each([
    [{ directory: [{ email: 'priya@acme.example', number: 'sip:priya@pbx' }] }, /directory\.0\.number: must be a phone number or extension/],
    [{ directory: [{ email: 'priya', number: '204' }] }, /directory\.0\.email: must be an email address/],
    [{ directory: [{ email: 'priya@acme.example', number: '204', password: 'x' }] }, /directory\.0/],
    [{ directory: { 'priya@acme.example': '204' } }, /directory/],
  ])('refuses a malformed directory with a clear message (%j), keeping the defaults', async (raw, message) => {
    const result = await loadDeploymentConfig(respond(200, raw));
    expect(result.config).toEqual(DEFAULT_CONFIG);
    expect(result.problem).toMatch(message);
  });
});

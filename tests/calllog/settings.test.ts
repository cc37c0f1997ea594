import { describe, expect, it } from 'vitest';
import { checkServerUrl, createCallLogSettings } from '../../src/calllog';

// The call-log token is a secret: never in a URL, never handed to the settings form, and what the
// browser's storage holds is checked before it is sent in a header.

const TOKEN = 'fst_settings-test-token-0123456789';

function memoryStorage(items: Record<string, string> = {}) {
  const map = new Map(Object.entries(items));
  return { getItem: (key: string) => map.get(key) ?? null, setItem: (key: string, value: string) => void map.set(key, value) };
}

describe('the call log server URL', () => {
  // Proved: removing the `url.username || url.password` check in src/calllog/settings.ts makes this fail (2026-12-02).
  it('refuses a URL carrying a user name or password, and says where the token goes', () => {
    expect(checkServerUrl('https://ada:secret@calls.example.com')).toEqual({
      ok: false,
      error: 'The URL must not contain a user name or password: put the token in the Token field.',
    });
  });

  // Proved: removing the `url.search || url.hash` check in src/calllog/settings.ts makes this fail (2026-12-02).
  it('refuses a URL with a query or a fragment (a token pasted there would travel in every request URL)', () => {
    expect(checkServerUrl(`https://calls.example.com/?token=${TOKEN}`)).toMatchObject({ ok: false });
    expect(checkServerUrl('https://calls.example.com/#token')).toMatchObject({ ok: false });
  });
});

describe('the call log settings', () => {
  // Proved: adding the token to the state `compute()` returns in src/calllog/settings.ts makes this fail (2026-12-02).
  it('what the settings form sees says a token is saved, never the token', () => {
    const settings = createCallLogSettings({ storage: memoryStorage() });
    expect(settings.save({ url: 'https://calls.example.com', token: TOKEN })).toEqual({ ok: true });
    expect(settings.getState()).toMatchObject({ hasToken: true, configured: true });
    expect(JSON.stringify(settings.getState())).not.toContain(TOKEN);
    expect(settings.current()).toEqual({ url: 'https://calls.example.com', token: TOKEN });
  });

  // Proved: dropping the TOKEN pattern check when reading storage in src/calllog/settings.ts makes this fail (2026-12-02).
  it('ignores a stored token that could not be sent as one header word', () => {
    const storage = memoryStorage({ 'softphone.callLog': JSON.stringify({ url: 'https://calls.example.com', token: 'two words\r\nx-evil: 1' }) });
    const settings = createCallLogSettings({ storage });
    expect(settings.getState()).toMatchObject({ hasToken: false, configured: false });
    expect(settings.current()).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { resolvePluginUrl } from '../../workspace/pluginUrl';

function at(href: string) {
  const url = new URL(href);
  return { protocol: url.protocol, hostname: url.hostname, port: url.port, origin: url.origin, search: url.search };
}

describe('where the workspace loads the plugin from', () => {
  it('defaults to the same server under the other loopback name: another origin, as in Front', () => {
    expect(resolvePluginUrl(at('http://localhost:5173/workspace/'))).toEqual({ url: 'http://127.0.0.1:5173/', warning: null });
    expect(resolvePluginUrl(at('http://127.0.0.1:5173/workspace/'))).toEqual({ url: 'http://localhost:5173/', warning: null });
  });

  it('takes ?plugin=URL', () => {
    const asked = 'http://127.0.0.1:4173/index.html';
    expect(resolvePluginUrl(at(`http://localhost:5173/workspace/?plugin=${encodeURIComponent(asked)}`))).toEqual({ url: asked, warning: null });
  });

  // Proved: accepting any parsed URL (no http/https check) in workspace/pluginUrl.ts makes this fail (2026-12-02).
  it('refuses a plugin URL that is not http(s)', () => {
    const result = resolvePluginUrl(at(`http://localhost:5173/workspace/?plugin=${encodeURIComponent('javascript:alert(1)')}`));
    expect(result.url).toBe('http://127.0.0.1:5173/');
    expect(result.warning).toContain('not an http(s) URL');
  });

  it('warns when the plugin would share the workspace origin', () => {
    const result = resolvePluginUrl(at(`http://localhost:5173/workspace/?plugin=${encodeURIComponent('/')}`));
    expect(result.url).toBe('http://localhost:5173/');
    expect(result.warning).toContain('same origin');
  });
});

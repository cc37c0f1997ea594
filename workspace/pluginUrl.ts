/** Where the workspace loads the plugin from: `?plugin=URL`, else the same server under the other loopback name. */
export interface PluginUrl {
  readonly url: string;
  /** Why the URL differs from what was asked for, or why it is not like Front; null when all is well. */
  readonly warning: string | null;
}

/**
 * Front embeds a plugin from another origin. By default the workspace at
 * http://localhost:5173/workspace/ loads http://127.0.0.1:5173/: the same Vite server under
 * another host name, so another origin (and the other way round when opened on 127.0.0.1).
 */
export function resolvePluginUrl(location: Pick<Location, 'protocol' | 'hostname' | 'port' | 'origin' | 'search'>): PluginUrl {
  const otherHost = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  const fallback = `${location.protocol}//${otherHost}${location.port ? `:${location.port}` : ''}/`;
  const asked = new URLSearchParams(location.search).get('plugin');
  if (asked !== null) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(asked, location.origin);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      return { url: fallback, warning: `?plugin=${asked} is not an http(s) URL; loading ${fallback} instead.` };
    }
    return { url: parsed.href, warning: sameOriginWarning(parsed.origin, location.origin) };
  }
  return { url: fallback, warning: sameOriginWarning(new URL(fallback).origin, location.origin) };
}

function sameOriginWarning(pluginOrigin: string, workspaceOrigin: string): string | null {
  return pluginOrigin === workspaceOrigin
    ? 'The plugin has the same origin as the workspace; Front always embeds plugins from another origin, so this is not a faithful test.'
    : null;
}

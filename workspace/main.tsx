/**
 * The local Front workspace: a page that embeds the plugin the way Front does (an iframe from
 * another origin) and speaks the Plugin SDK protocol, host side. A dev and demo tool, served by
 * the Vite dev server at /workspace/; never part of the plugin's bundle.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { resolvePluginUrl } from './pluginUrl';
import { createTestHook } from './testHook';
import { WorkspaceApp } from './ui/WorkspaceApp';
import { Workspace } from './workspace';
import './workspace.css';

const { url, warning } = resolvePluginUrl(window.location);
const frame: { current: HTMLIFrameElement | null } = { current: null };

// Listening starts here, before React renders the iframe, so no handshake can be missed.
const workspace = new Workspace({ window, pluginWindow: () => frame.current?.contentWindow ?? null, pluginUrl: url });
Object.defineProperty(window, '__workspace', { value: createTestHook(workspace), configurable: true });

const container = document.getElementById('workspace-root');
if (!container) throw new Error('workspace/index.html has no #workspace-root element.');
createRoot(container).render(
  <StrictMode>
    <WorkspaceApp workspace={workspace} frame={frame} warning={warning} />
  </StrictMode>,
);

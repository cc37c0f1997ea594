import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

/**
 * The plugin's iframe. It is created once and never moved or unmounted (that would reload it):
 * closing the sidebar only hides it, as Front keeps a background plugin running.
 */
export function PluginSidebar({ frame }: { frame: { current: HTMLIFrameElement | null } }) {
  const workspace = useWorkspaceInstance();
  const open = useWorkspace((s) => s.sidebarOpen);
  const pluginUrl = useWorkspace((s) => s.pluginUrl);
  return (
    <aside className={open ? 'ws-sidebar' : 'ws-sidebar ws-sidebar--closed'} aria-label="Plugin sidebar" aria-hidden={open ? undefined : true}>
      <div className="ws-sidebar__head">
        <span className="ws-sidebar__title">Softphone</span>
        <button type="button" className="ws-button ws-button--quiet" aria-label="Close sidebar" onClick={() => workspace.setSidebarOpen(false)}>
          ×
        </button>
      </div>
      <iframe
        ref={(element) => {
          frame.current = element;
        }}
        className="ws-frame"
        title="Softphone plugin"
        src={pluginUrl}
        allow="microphone; autoplay"
      />
    </aside>
  );
}

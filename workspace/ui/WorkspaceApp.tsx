import { ContactList } from './ContactList';
import { ContextPanel } from './ContextPanel';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { FrontCalls } from './FrontCalls';
import { FunctionLog } from './FunctionLog';
import { NotificationTray } from './NotificationTray';
import { PluginSidebar } from './PluginSidebar';
import { TopBar } from './TopBar';
import { WorkspaceContext } from './useWorkspace';
import type { Workspace } from '../workspace';

export interface WorkspaceAppProps {
  readonly workspace: Workspace;
  /** Receives the plugin iframe element, for the host's handshake check and the simulator. */
  readonly frame: { current: HTMLIFrameElement | null };
  readonly warning: string | null;
}

/** Front's window, reduced to what a softphone plugin meets: conversations, contacts, the sidebar. */
export function WorkspaceApp({ workspace, frame, warning }: WorkspaceAppProps) {
  return (
    <WorkspaceContext.Provider value={workspace}>
      <div className="ws-app">
        <TopBar warning={warning} />
        <nav className="ws-nav" aria-label="Inbox">
          <ConversationList />
          <ContactList />
        </nav>
        <main className="ws-main">
          <NotificationTray />
          <ConversationView />
          <ContextPanel />
          <FrontCalls />
          <FunctionLog />
        </main>
        <PluginSidebar frame={frame} />
      </div>
    </WorkspaceContext.Provider>
  );
}

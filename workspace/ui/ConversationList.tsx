import { CONVERSATIONS } from '../fixtures';
import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

export function ConversationList() {
  const workspace = useWorkspaceInstance();
  const selected = useWorkspace((s) => s.selectedConversationId);
  return (
    <section className="ws-section" aria-labelledby="ws-conversations">
      <h2 id="ws-conversations" className="ws-heading">
        Conversations
      </h2>
      <ul className="ws-list">
        {CONVERSATIONS.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className="ws-conversation"
              aria-current={selected === c.id ? 'true' : undefined}
              onClick={() => workspace.selectConversation(c.id)}
            >
              <span className="ws-conversation__subject">{c.subject}</span>
              <span className="ws-conversation__who">{c.recipient?.name ?? c.recipient?.handle}</span>
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="ws-button ws-button--quiet" disabled={selected === null} onClick={() => workspace.selectConversation(null)}>
        Close conversation
      </button>
    </section>
  );
}

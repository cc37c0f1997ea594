import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

/** The open conversation: subject, recipient (with "Call" for a phone handle) and tags. */
export function ConversationView() {
  const workspace = useWorkspaceInstance();
  const selected = useWorkspace((s) => s.selectedConversationId);
  // Re-read on tag changes: the conversation object is rebuilt from the state.
  useWorkspace((s) => s.conversationTagIds);
  const conversation = selected ? workspace.conversation(selected) : null;

  if (!conversation) {
    return (
      <section className="ws-card ws-empty" aria-label="Conversation">
        <p>No conversation open. Pick one on the left, or call a contact.</p>
      </section>
    );
  }
  const recipient = conversation.recipient;
  return (
    <section className="ws-card" aria-labelledby="ws-conversation-subject" data-testid="conversation">
      <h2 id="ws-conversation-subject" className="ws-conversation-title">
        {conversation.subject}
      </h2>
      {recipient && (
        <p className="ws-recipient">
          <span>{recipient.name}</span>
          <span className="ws-handle">
            <span className="ws-handle__text">{recipient.handle}</span>
            {recipient.type === 'phone' && (
              <button type="button" className="ws-call" aria-label={`Call ${recipient.handle}`} onClick={() => workspace.callHandle(recipient.handle, conversation.id)}>
                Call
              </button>
            )}
          </span>
        </p>
      )}
      <p className="ws-blurb">{conversation.blurb}</p>
      <div className="ws-tags-row">
        <h3 className="ws-subheading" id="ws-conversation-tags">
          Tags
        </h3>
        {conversation.tags.length === 0 ? (
          <p className="ws-muted">No tags</p>
        ) : (
          <ul className="ws-tags" aria-labelledby="ws-conversation-tags" data-testid="conversation-tags">
            {conversation.tags.map((tag) => (
              <li key={tag.id} className="ws-tag" data-tag-id={tag.id} title={tag.parentTag ? `${tag.parentTag.name} / ${tag.name}` : tag.name}>
                {tag.name}
              </li>
            ))}
          </ul>
        )}
      </div>
      {/* Where a teammate types a reply, as in Front: the plugin must never take the focus from it. */}
      <label className="ws-subheading" htmlFor="ws-reply">
        Reply
      </label>
      <textarea id="ws-reply" className="ws-reply" rows={3} key={conversation.id} />
    </section>
  );
}

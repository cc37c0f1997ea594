import type { FrontContext } from '../frontTypes';
import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

function entryPointText(context: FrontContext): string {
  const entry = context.entryPoint;
  if (!entry) return 'none';
  if (entry.type === 'CONTACT_HANDLE') {
    const at = entry.data.timestamp ? new Date(entry.data.timestamp).toLocaleTimeString() : 'no timestamp';
    return `CONTACT_HANDLE ${entry.data.handle} (${at})`;
  }
  return entry.type;
}

/** The context the plugin has now, and the button that delivers it once more. */
export function ContextPanel() {
  const workspace = useWorkspaceInstance();
  const context = useWorkspace((s) => s.currentContext);
  const deliveries = useWorkspace((s) => s.deliveries);
  const activity = useWorkspace((s) => s.activity);
  return (
    <section className="ws-card" aria-labelledby="ws-context-heading">
      <div className="ws-card__head">
        <h2 id="ws-context-heading" className="ws-subheading">
          Context sent to the plugin
        </h2>
        <button type="button" className="ws-button" disabled={!context} onClick={() => workspace.resendLastContext()}>
          Resend last context
        </button>
      </div>
      {context && (
        <dl className="ws-facts" data-testid="current-context" data-context-id={context.id} data-context-type={context.type}>
          <dt>Type</dt>
          <dd>{context.type}</dd>
          <dt>Entry point</dt>
          <dd>{entryPointText(context)}</dd>
          <dt>Id</dt>
          <dd>{context.id}</dd>
          <dt>Deliveries</dt>
          <dd>{deliveries.length}</dd>
        </dl>
      )}
      {context && (
        <details className="ws-details">
          <summary>Context JSON</summary>
          <pre>{JSON.stringify(context, null, 2)}</pre>
        </details>
      )}
      {activity.length > 0 && (
        <ul className="ws-activity" aria-label="Activity">
          {activity.slice(-6).map((entry, i) => (
            <li key={`${entry.at}-${i}`} className={entry.kind === 'warning' ? 'ws-activity--warning' : undefined}>
              {entry.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

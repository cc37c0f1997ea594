import type { HostCallRecord } from '../host';
import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

function json(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function outcome(call: HostCallRecord): string {
  switch (call.status) {
    case 'pending':
      return 'pending…';
    case 'cancelled':
      return 'cancelled by the plugin';
    case 'error':
      return `error: ${call.error ?? ''}`;
    case 'result':
      return json(call.value);
  }
}

/** Every function the plugin called on Front, newest last. */
export function FunctionLog() {
  const workspace = useWorkspaceInstance();
  const calls = useWorkspace((s) => s.calls);
  return (
    <section className="ws-card" aria-labelledby="ws-log-heading">
      <div className="ws-card__head">
        <h2 id="ws-log-heading" className="ws-subheading">
          Function calls from the plugin
        </h2>
        <button type="button" className="ws-button ws-button--quiet" onClick={() => workspace.clearLog()}>
          Clear log
        </button>
      </div>
      {calls.length === 0 ? (
        <p className="ws-muted">No calls yet.</p>
      ) : (
        <div className="ws-log-scroll">
          <table className="ws-log" aria-labelledby="ws-log-heading" data-testid="function-log">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Time (ms)</th>
                <th scope="col">Context</th>
                <th scope="col">Function</th>
                <th scope="col">Arguments</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((call) => (
                <tr key={call.seq} data-testid="function-call" data-name={call.name} data-status={call.status} className={`ws-log__row ws-log__row--${call.status}`}>
                  <td>{call.seq}</td>
                  <td>{call.at.toFixed(0)}</td>
                  <td>{call.contextType ?? 'unknown'}</td>
                  <td data-testid="function-name">{call.name}</td>
                  <td data-testid="function-args">
                    <code>{json(call.args)}</code>
                  </td>
                  <td data-testid="function-outcome">
                    <code>{outcome(call)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

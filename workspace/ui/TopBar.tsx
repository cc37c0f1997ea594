import { useId, useState } from 'react';
import { SIMULATED_CALLERS } from '../../src/telephony/simulated';
import { useWorkspace, useWorkspaceInstance } from './useWorkspace';

/** The workspace's own controls: connection, sidebar, the far end of the simulated line, faults. */
export function TopBar({ warning }: { warning: string | null }) {
  return (
    <header className="ws-top">
      <div className="ws-brand">
        <h1 className="ws-title">Front workspace</h1>
        <span className="ws-badge">local</span>
        <ConnectionStatus />
      </div>
      <SidebarSwitch />
      <RingControls />
      <FaultSwitches />
      {warning && (
        <p className="ws-warning" role="alert">
          {warning}
        </p>
      )}
    </header>
  );
}

function ConnectionStatus() {
  const handshakes = useWorkspace((s) => s.handshakes);
  const pluginUrl = useWorkspace((s) => s.pluginUrl);
  return (
    <p className="ws-connection" data-testid="connection" data-handshakes={handshakes} title={pluginUrl}>
      <span className={handshakes > 0 ? 'ws-dot ws-dot--on' : 'ws-dot'} aria-hidden="true" />
      {handshakes === 0 ? 'Waiting for the plugin’s SDK handshake' : handshakes === 1 ? 'Plugin connected' : `Plugin connected (reloaded, handshake ${handshakes})`}
    </p>
  );
}

function SidebarSwitch() {
  const workspace = useWorkspaceInstance();
  const open = useWorkspace((s) => s.sidebarOpen);
  return (
    <label className="ws-switch">
      <input type="checkbox" role="switch" checked={open} onChange={(e) => workspace.setSidebarOpen(e.currentTarget.checked)} />
      Plugin sidebar open
    </label>
  );
}

function RingControls() {
  const workspace = useWorkspaceInstance();
  const [callerIndex, setCallerIndex] = useState(0);
  const selectId = useId();
  const caller = SIMULATED_CALLERS[callerIndex] ?? SIMULATED_CALLERS[0];
  return (
    <fieldset className="ws-group">
      <legend>Simulated caller</legend>
      <label htmlFor={selectId}>Caller</label>
      <select id={selectId} value={callerIndex} onChange={(e) => setCallerIndex(Number(e.currentTarget.value))}>
        {SIMULATED_CALLERS.map((c, i) => (
          <option key={c.number} value={i}>
            {c.name ? `${c.name} (${c.number})` : c.number}
          </option>
        ))}
      </select>
      <button type="button" className="ws-button ws-button--primary" onClick={() => workspace.simulate('ringAgent', { from: caller?.number, ...(caller?.name ? { name: caller.name } : {}) })}>
        Ring the agent
      </button>
      <button type="button" className="ws-button" onClick={() => workspace.simulate('callerGivesUp')}>
        Caller gives up
      </button>
      <button type="button" className="ws-button" onClick={() => workspace.simulate('answerElsewhere')}>
        Answered elsewhere
      </button>
      <button type="button" className="ws-button" onClick={() => workspace.simulate('remoteHangsUp')}>
        Caller hangs up
      </button>
      <button type="button" className="ws-button" onClick={() => workspace.simulate('dropConnection')}>
        Drop connection
      </button>
    </fieldset>
  );
}

function FaultSwitches() {
  const workspace = useWorkspaceInstance();
  const faults = useWorkspace((s) => s.faults);
  const latencyId = useId();
  return (
    <fieldset className="ws-group">
      <legend>Faults</legend>
      <label className="ws-check">
        <input type="checkbox" checked={faults.failDisplayNotification} onChange={(e) => workspace.setFaults({ failDisplayNotification: e.currentTarget.checked })} />
        Fail displayNotification
      </label>
      <label htmlFor={latencyId}>Host latency (ms)</label>
      <input
        id={latencyId}
        className="ws-number"
        type="number"
        min={0}
        max={60000}
        step={100}
        value={faults.latencyMs}
        onChange={(e) => {
          const value = Number(e.currentTarget.value);
          if (Number.isInteger(value) && value >= 0 && value <= 60_000) workspace.setFaults({ latencyMs: value });
        }}
      />
      <button type="button" className="ws-button" onClick={() => workspace.sendMalformedContext('noContext')}>
        Send context update without context
      </button>
      <button type="button" className="ws-button" onClick={() => workspace.sendMalformedContext('noFunctionArities')}>
        Send context without functionArities
      </button>
    </fieldset>
  );
}

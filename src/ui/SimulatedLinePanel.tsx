import { useId, useState, type FormEvent } from 'react';
import { describeParty } from '../machine';
import type { Participant } from '../telephony';

/** What the panel needs from the simulated line; the composition root adapts the real one. */
export interface SimulatorControls {
  readonly callers: readonly Participant[];
  readonly testNumbers: readonly { readonly number: string; readonly label: string }[];
  /** Rings the agent from this number; throws when the line cannot ring now. */
  ringAgent(from: string): void;
}

/**
 * Development helpers for the simulated line: ring the agent from a simulated caller, and the
 * numbers that behave in a scripted way when dialled.
 */
export function SimulatedLinePanel({ simulator, disabled = false }: { simulator: SimulatorControls; disabled?: boolean }) {
  const { callers, testNumbers } = simulator;
  const [from, setFrom] = useState(callers[0]?.number ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const selectId = useId();
  const headingId = useId();

  function ring(event: FormEvent) {
    event.preventDefault();
    try {
      simulator.ringAgent(from);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The simulated caller could not ring.');
    }
  }

  return (
    <section className="sp-simulator" aria-labelledby={headingId}>
      <h2 id={headingId} className="sp-simulator__title">
        Simulated line
      </h2>
      <form className="sp-simulator__ring" onSubmit={ring}>
        <label className="sp-label" htmlFor={selectId}>
          Caller
        </label>
        <div className="sp-row">
          <select id={selectId} className="sp-input sp-grow" value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
            {callers.map((caller) => (
              <option key={caller.number} value={caller.number}>
                {describeParty(caller)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="sp-button sp-button--secondary" disabled={disabled || callers.length === 0}>
          Simulate incoming call
        </button>
        {problem && (
          <p className="sp-field-error" role="alert">
            {problem}
          </p>
        )}
      </form>
      <h3 className="sp-simulator__subtitle">Test numbers</h3>
      <ul className="sp-test-numbers">
        {testNumbers.map(({ number, label }) => (
          <li key={number}>
            <span className="sp-mono">{number}</span>
            <span className="sp-muted">{label}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export default SimulatedLinePanel;

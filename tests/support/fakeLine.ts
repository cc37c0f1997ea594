import { ALL_CAPABILITIES, delegateLine, LineError, type Line, type LineCapabilities, type LineCommand, type LineCommands } from '../../src/telephony/line';

export { ALL_CAPABILITIES };

// The command methods come from delegateLine (assigned in the constructor).
export interface FakeLine extends LineCommands {}
/**
 * A scriptable line for machine and UI tests: it records every command and emits whatever the
 * test tells it to, synchronously (tests are explicit about order), including malformed events.
 * `failNext(type, error)` makes the next command of that type reject.
 */
export class FakeLine implements Line {
  readonly kind = 'simulated' as const;
  readonly commands: LineCommand[] = [];
  private listeners = new Set<(event: never) => void>();
  private failures = new Map<LineCommand['type'], LineError>();

  constructor(readonly capabilities: LineCapabilities = ALL_CAPABILITIES) {
    Object.assign(this, delegateLine((command) => this.record(command)));
  }

  subscribe(listener: (event: never) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers any value as a line event (valid or not). */
  emit(event: unknown): void {
    for (const listener of [...this.listeners]) listener(event as never);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  failNext(type: LineCommand['type'], error = new LineError('invalid_state', `${type} refused`)): void {
    this.failures.set(type, error);
  }

  commandsOf<T extends LineCommand['type']>(type: T): Extract<LineCommand, { type: T }>[] {
    return this.commands.filter((c): c is Extract<LineCommand, { type: T }> => c.type === type);
  }

  private record(command: LineCommand): Promise<void> {
    this.commands.push(command);
    const failure = this.failures.get(command.type);
    if (failure) {
      this.failures.delete(command.type);
      return Promise.reject(failure);
    }
    return Promise.resolve();
  }

  dispose(): void { this.listeners.clear(); }
}

/** Shorthands for the seed's events. */
export const ev = {
  dialing: (callId: string, to: string, from = '+14155550100') => ({ type: 'DIALER.DIALING', payload: { from, to, callId } }),
  status: (callId: string, status: string, flow = 'regular', reason?: string) => ({
    type: 'DIALER.CALL_STATUS',
    payload: { status, flow, callId, ...(reason ? { reason } : {}) },
  }),
  sync: (callId: string, payload: Record<string, unknown> = {}) => ({ type: 'DIALER.SYNC', payload: { callId, ...payload } }),
  incoming: (callId: string, from: string, callerName?: string) => ({
    type: 'DIALER.SYNC',
    payload: { callId, direction: 'inbound', from, to: '+14155550100', ...(callerName ? { callerName } : {}) },
  }),
  availability: (status: string) => ({ type: 'USER.AVAILABILITY_CHANGED', payload: { userId: 41123, status, updatedAt: 1591884384650050 } }),
};

import { describe, expect, it, vi } from 'vitest';
import { renderDialer, screen } from '../support/render';

// Counts imports of the simulated line's panel: the Dialer loads it lazily, only when given
// simulator controls (the deployment offers the simulated line: src/app/demo.ts, src/main.tsx).
const imports = vi.hoisted(() => ({ panel: 0 }));
vi.mock('../../src/ui/SimulatedLinePanel', async (importOriginal) => {
  imports.panel += 1;
  return importOriginal();
});

describe('demo stays demo: the simulated line panel', () => {
  // Proved: importing SimulatedLinePanel statically in src/ui/Dialer.tsx makes this fail.
  it('is never loaded where the simulated line is not offered', async () => {
    renderDialer({ simulator: null });
    expect(screen.getByLabelText('Phone number')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(imports.panel).toBe(0);
    expect(screen.queryByRole('region', { name: 'Simulated line' })).toBeNull();
  });

  it('loads and shows where it is offered', async () => {
    renderDialer({ simulator: { callers: [{ number: '+14155550123', name: 'Maria Garcia' }], testNumbers: [], ringAgent: () => {} } });
    expect(await screen.findByRole('button', { name: /Simulate incoming call/ })).toBeTruthy();
    expect(imports.panel).toBe(1);
  });
});

import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, vi } from 'vitest';
import { loadPhoneTools, type NumberReader } from '../../src/phone';
import { App, createDialer, recordDiagnostics, type DialerActorInstance } from '../../src/app';
import type { LineManager } from '../../src/app/lineManager';
import type { DialerSettings } from '../../src/machine';
import type { Line } from '../../src/telephony';
import type { FrontView, SimulatorControls, TagOption } from '../../src/ui';
import { FakeLine } from './fakeLine';
import { preloadLaterScreens } from '../../src/ui/LaterScreen';

// The screens the plugin fetches after its first render (a summary, tagging, a transfer) are
// loaded before any test renders, so they appear as synchronously as the others.
await preloadLaterScreens();

export interface RenderDialerOptions<L extends Line> {
  line?: L;
  settings?: Partial<DialerSettings>;
  tagOptions?: readonly TagOption[];
  front?: FrontView | null;
  /** The line choice over the dialer (created once the dialer exists). */
  lines?: (actor: DialerActorInstance) => LineManager;
  simulator?: SimulatorControls | null;
  /** The deployment's number reader (region, extensions); the default rules when omitted. */
  numbers?: NumberReader;
  /** Set when the test uses fake timers: user-event then advances them while it waits. */
  fakeTimers?: boolean;
}

// Testing Library sets this itself only when the test globals are enabled; these tests import them.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const running = new Set<{ stop(): void }>();

// The app loads the phone tools (libphonenumber-js, lazy) right after its first render; these
// tests start with them loaded, as a teammate's first dial does. tests/ui/numbers.test.tsx covers
// a dial made while they still load.
beforeAll(async () => {
  await loadPhoneTools();
});

// Stop every machine a test started, so nothing a line does later reaches a finished test.
afterEach(() => {
  for (const actor of running) actor.stop();
  running.clear();
});

/**
 * Renders the whole dialer over a running machine and a line (a FakeLine unless given one).
 * `emit` delivers a line event inside act(), so React has rendered its effect when it returns.
 */
export function renderDialer<L extends Line = FakeLine>(options: RenderDialerOptions<L> = {}) {
  const line = (options.line ?? new FakeLine()) as L;
  const actor = createDialer({ line, ...(options.settings ? { settings: options.settings } : {}) });
  const diagnostics = recordDiagnostics(actor);
  actor.start();
  running.add(actor);
  const user = options.fakeTimers ? userEvent.setup({ advanceTimers: vi.advanceTimersByTime }) : userEvent.setup();
  const result = render(
    <App
      actor={actor}
      simulator={options.simulator ?? null}
      front={options.front ?? null}
      lines={options.lines?.(actor) ?? null}
      numbers={options.numbers ?? null}
      {...(options.tagOptions ? { tagOptions: options.tagOptions } : {})}
    />,
  );
  const emit = (event: unknown) => {
    if (!(line instanceof FakeLine)) throw new Error('emit() scripts a FakeLine; drive other lines through their own API.');
    act(() => line.emit(event));
  };
  return { ...result, line, actor, diagnostics, user, emit };
}

/** The live status region's text. */
export function statusText(): string {
  return screen.getByRole('status').textContent ?? '';
}

/** Lets the simulated line deliver its queued events (microtasks) and advances fake time. */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

export { screen, within };

/** Opens Settings (its forms load on first use) and waits for the panel. */
export async function openSettings(user: { click(element: Element): Promise<void> }): Promise<HTMLElement> {
  await user.click(screen.getByRole('button', { name: 'Settings' }));
  return screen.findByRole('region', { name: 'Settings' }, { timeout: 10_000 });
}

/** Leaves Settings (Back), back to the call screen it replaced. */
export async function closeSettings(user: { click(element: Element): Promise<void> }): Promise<void> {
  await user.click(screen.getByRole('button', { name: 'Back' }));
}

const KEY_LETTERS: Record<string, string> = { '2': 'ABC', '3': 'DEF', '4': 'GHI', '5': 'JKL', '6': 'MNO', '7': 'PQRS', '8': 'TUV', '9': 'WXYZ', '0': '+' };

/** A keypad key's accessible name: what it shows, "2 ABC" (the letters too). */
export function keyName(digit: string): string {
  return KEY_LETTERS[digit] ? `${digit} ${KEY_LETTERS[digit]}` : digit;
}

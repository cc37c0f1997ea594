import { StrictMode } from 'react';
import type { LineManager } from './lineManager';
import type { CallLogView } from '../calllog/view';
import type { ReadableStore } from '../store';
import type { TabRole } from '../tabs';
import type { NumberReader } from '../phone';
import { NumbersProvider } from '../ui/numbersContext';
import { CallLogProvider, Dialer, DialerProvider, FrontProvider, LineProvider, type DialerActor, type FrontView, type SimulatorControls, type TagOption } from '../ui';

export interface AppProps {
  readonly actor: DialerActor;
  readonly tagOptions?: readonly TagOption[];
  /** The Front integration; null when the plugin runs on its own (tests). */
  readonly front?: FrontView | null;
  /** The line choice (simulated / SIP); null when the app offers none (tests). */
  readonly lines?: LineManager | null;
  readonly simulator?: SimulatorControls | null;
  /** Whether this Front tab owns the phone; null when there is only one (tests). */
  readonly role?: ReadableStore<TabRole> | null;
  /** Call logging (settings, per-call status); null when the app has none (tests). */
  readonly callLog?: CallLogView | null;
  /** The deployment's number reader (region, extensions); the default rules when null (tests). */
  readonly numbers?: NumberReader | null;
}

/** The softphone over a running call machine. */
export function App({ actor, tagOptions, simulator = null, role = null, front = null, lines = null, callLog = null, numbers = null }: AppProps) {
  return (
    <StrictMode>
      <DialerProvider actor={actor}>
        <NumbersProvider numbers={numbers}>
        <FrontProvider front={front}>
          <LineProvider lines={lines}>
            <CallLogProvider callLog={callLog}>
              <Dialer simulator={simulator} role={role} {...(tagOptions ? { tagOptions } : {})} />
            </CallLogProvider>
          </LineProvider>
        </FrontProvider>
        </NumbersProvider>
      </DialerProvider>
    </StrictMode>
  );
}

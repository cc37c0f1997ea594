import { StrictMode } from 'react';
import type { LineManager } from './lineManager';
import { Dialer, DialerProvider, FrontProvider, LineProvider, type DialerActor, type FrontView, type SimulatorControls, type TagOption } from '../ui';

export interface AppProps {
  readonly actor: DialerActor;
  readonly tagOptions?: readonly TagOption[];
  /** The Front integration; null when the plugin runs on its own (tests). */
  readonly front?: FrontView | null;
  /** The line choice (simulated / SIP); null when the app offers none (tests). */
  readonly lines?: LineManager | null;
  readonly simulator?: SimulatorControls | null;
}

/** The softphone over a running call machine. */
export function App({ actor, tagOptions, simulator = null, front = null, lines = null }: AppProps) {
  return (
    <StrictMode>
      <DialerProvider actor={actor}>
        <FrontProvider front={front}>
          <LineProvider lines={lines}>
            <Dialer simulator={simulator} {...(tagOptions ? { tagOptions } : {})} />
          </LineProvider>
        </FrontProvider>
      </DialerProvider>
    </StrictMode>
  );
}

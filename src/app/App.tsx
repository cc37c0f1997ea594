import { StrictMode } from 'react';
import { Dialer, DialerProvider, FrontProvider, type DialerActor, type FrontView, type SimulatorControls, type TagOption } from '../ui';

export interface AppProps {
  readonly actor: DialerActor;
  readonly tagOptions?: readonly TagOption[];
  /** The Front integration; null when the plugin runs on its own (tests). */
  readonly front?: FrontView | null;
  readonly simulator?: SimulatorControls | null;
}

/** The softphone over a running call machine. */
export function App({ actor, tagOptions, simulator = null, front = null }: AppProps) {
  return (
    <StrictMode>
      <DialerProvider actor={actor}>
        <FrontProvider front={front}>
          <Dialer simulator={simulator} {...(tagOptions ? { tagOptions } : {})} />
        </FrontProvider>
      </DialerProvider>
    </StrictMode>
  );
}

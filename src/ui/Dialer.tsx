import { lazy, Suspense, useEffect, useId, useRef } from 'react';
import { selectBusy, selectScreen, type Screen } from '../machine';
import type { FrontTag } from '../front/host';
import { Availability } from './Availability';
import { FrontBar } from './FrontBar';
import { LineStatus } from './LineStatus';
import { useLineChoice } from './lineContext';
import { useFrontSession } from './frontContext';
import { useDialer } from './dialerContext';
import { EndedSummary } from './EndedSummary';
import { InCallControls } from './InCallControls';
import { InputError } from './InputError';
import { IncomingCall } from './IncomingCall';
import { MandatoryTagging } from './MandatoryTagging';
import { Notices } from './Notices';
import { NumberEntry } from './NumberEntry';
import { OutgoingCall } from './OutgoingCall';
import { SettingsPanel } from './SettingsPanel';
import type { SimulatorControls } from './SimulatedLinePanel';
import { StatusAnnouncer } from './StatusAnnouncer';
import { TabHolder } from './TabHolder';
import type { ReadableStore } from '../store';
import type { TabRole } from '../tabs';
import { WarmTransfer } from './WarmTransfer';
import './dialer.css';

// Loaded only when the deployment offers the simulated line (src/app/demo.ts).
const SimulatedLinePanel = lazy(() => import('./SimulatedLinePanel'));

// Recent calls (its button with the missed-call count, then its view) load right after the first render.
const RecentCalls = lazy(() => import('./RecentCalls'));
// Only when Front asked for a number during a call: a lazy chunk.
const NextCall = lazy(() => import('./NextCall'));
// Notes during the call and in wrap-up; not on the first screen, so a lazy chunk.
const CallNotes = lazy(() => import('./CallNotes'));
const SCREENS_WITH_NOTES: ReadonlySet<Screen> = new Set(['inCall', 'transfer', 'tagging', 'ended']);

/** Screens that show a refused input next to their own field; the others show it below the screen. */
const SCREENS_WITH_OWN_ERROR: ReadonlySet<Screen> = new Set(['dialpad', 'inCall', 'tagging']);

/** A tag the agent can pick: Front's tag id and name (the built-in list uses the name as id). */
export type TagOption = FrontTag;

/** Used when Front's tags are not available (outside Front, or before they loaded). */
export const DEFAULT_TAG_OPTIONS: readonly TagOption[] = ['Sales', 'Support', 'Billing', 'Follow-up', 'Spam'].map((name) => ({ id: name, name }));

export interface DialerProps {
  /** The tags the agent picks from when a call must be tagged; Front's own tags win when loaded. */
  tagOptions?: readonly TagOption[];
  /** Controls for the simulated line; the panel shows only when given. */
  simulator?: SimulatorControls | null;
  /** Whether this Front tab owns the phone (src/tabs); null when there is only one (tests). */
  role?: ReadableStore<TabRole> | null;
}

/** The softphone: one screen per call status, read from the machine, inside Front's sidebar. */
export function Dialer({ tagOptions: given = DEFAULT_TAG_OPTIONS, simulator = null, role = null }: DialerProps) {
  const frontTags = useFrontSession((session) => session.tags);
  const tagOptions = frontTags && frontTags.length > 0 ? frontTags : given;
  const onSimulatedLine = (useLineChoice((choice) => choice.kind) ?? 'simulated') === 'simulated';
  const screen = useDialer(selectScreen);
  const busy = useDialer(selectBusy);
  const hasNextCall = useDialer((s) => s.context.nextCall !== null);
  const screenRef = useFocusOnScreenChange(screen);
  const errorId = useId();

  return (
    <div className="sp-dialer">
      <header className="sp-header">
        <h1 className="sp-title">Phone</h1>
        <Availability />
        <SettingsPanel />
      </header>
      <LineStatus />
      <Suspense fallback={null}>
        <RecentCalls />
      </Suspense>
      <TabHolder role={role} />
      <FrontBar />
      <StatusAnnouncer />
      <Notices />
      {hasNextCall && (
        <Suspense fallback={null}>
          <NextCall />
        </Suspense>
      )}
      <main ref={screenRef} className="sp-main">
        <CurrentScreen screen={screen} tagOptions={tagOptions} />
        {SCREENS_WITH_NOTES.has(screen) && (
          <Suspense fallback={null}>
            <CallNotes />
          </Suspense>
        )}
        {!SCREENS_WITH_OWN_ERROR.has(screen) && <InputError id={errorId} />}
      </main>
      {simulator && onSimulatedLine && (
        <Suspense fallback={null}>
          <SimulatedLinePanel simulator={simulator} disabled={busy} />
        </Suspense>
      )}
    </div>
  );
}

function CurrentScreen({ screen, tagOptions }: { screen: Screen; tagOptions: readonly TagOption[] }) {
  switch (screen) {
    case 'dialpad':
      return <NumberEntry />;
    case 'outgoing':
      return <OutgoingCall />;
    case 'incoming':
      return <IncomingCall />;
    case 'inCall':
      return <InCallControls />;
    case 'transfer':
      return <WarmTransfer />;
    case 'tagging':
      return <MandatoryTagging tagOptions={tagOptions} />;
    case 'ended':
      return <EndedSummary tagOptions={tagOptions} />;
  }
}

/**
 * When the screen changes, focus moves to the new screen's `data-autofocus` element (Answer when
 * a call rings in, the number field back on the dial screen, ...), but only when the focus is
 * already in the plugin. Not on first render: the sidebar must not steal focus from Front when it
 * loads.
 */
function useFocusOnScreenChange(screen: Screen) {
  const ref = useRef<HTMLElement>(null);
  const shown = useRef(screen);
  useEffect(() => {
    if (shown.current === screen) return;
    shown.current = screen;
    // Never take the focus from Front: only a teammate already in the plugin (its document has
    // the focus) is moved along. Otherwise the call is announced (status region, ring,
    // notification) and what they type stays where they type it.
    if (!document.hasFocus()) return;
    ref.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
  }, [screen]);
  return ref;
}

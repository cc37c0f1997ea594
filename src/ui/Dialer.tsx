import { lazy, Suspense, useEffect, useId, useRef, useState } from 'react';
import { selectBusy, selectScreen, type Screen } from '../machine';
import type { FrontTag } from '../front/host';
import { Availability } from './Availability';
import { FrontBar } from './FrontBar';
import { LineStatus } from './LineStatus';
import { useLineChoice } from './lineContext';
import { useFrontSession } from './frontContext';
import { useDialer } from './dialerContext';
import { InputError } from './InputError';
import { LaterScreen, LaterWaitingCall, preloadLaterScreens } from './LaterScreen';
import { IncomingCall } from './IncomingCall';
import { Notices } from './Notices';
import { NumberEntry } from './NumberEntry';
import { OutgoingCall } from './OutgoingCall';
import { Icon } from './Icon';
import { onEscape, useKeyboardShortcuts } from './keyboard';
import { SettingsView } from './SettingsPanel';
import type { SimulatorControls } from './SimulatedLinePanel';
import { StatusAnnouncer } from './StatusAnnouncer';
import { TabHolder } from './TabHolder';
import type { ReadableStore } from '../store';
import type { TabRole } from '../tabs';
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
const SCREENS_WITH_OWN_ERROR: ReadonlySet<Screen> = new Set(['dialpad', 'inCall', 'tagging', 'ended']);

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

/**
 * The softphone: one screen per call status, read from the machine, inside Front's sidebar. The
 * header (banner) says who and which line; everything else is in <main>: the status, notices,
 * and the call screen or, in its place, Settings.
 */
export function Dialer({ tagOptions: given = DEFAULT_TAG_OPTIONS, simulator = null, role = null }: DialerProps) {
  const frontTags = useFrontSession((session) => session.tags);
  const tagOptions = frontTags && frontTags.length > 0 ? frontTags : given;
  const onSimulatedLine = (useLineChoice((choice) => choice.kind) ?? 'simulated') === 'simulated';
  const screen = useDialer(selectScreen);
  // A simulated caller can ring during a call when the line offers call waiting (the waiting
  // call, or with the setting off the busy decline and its missed-call entry).
  const canRing = useDialer((s) => !selectBusy(s) || s.context.capabilities.callWaiting === true);
  const hasNextCall = useDialer((s) => s.context.nextCall !== null);
  const errorId = useId();
  const settingsButton = useRef<HTMLButtonElement>(null);
  // Settings mounts on first use and then stays (hidden), as the call screen does while it shows.
  const [settings, setSettings] = useState<'never' | 'open' | 'closed'>('never');
  const settingsOpen = settings === 'open';
  // A change of screen (a call rings in, Front's Call button dials, the call ends) closes
  // Settings, so the call is in view (state adjusted while rendering, before the focus moves).
  const [shown, setShown] = useState(screen);
  if (shown !== screen) {
    setShown(screen);
    if (settingsOpen) setSettings('closed');
  }
  const screenRef = useFocusOnScreenChange(screen);
  useKeyboardShortcuts();
  // Fetched now, long before a call ends or is transferred; a failure is said on that screen.
  useEffect(() => {
    preloadLaterScreens().catch(() => undefined);
  }, []);

  const closeSettings = () => {
    setSettings('closed');
    settingsButton.current?.focus();
  };
  // Escape leaves Settings from anywhere in the plugin (the call screen's panels, hidden then, have their own).
  const escapeSettings = onEscape(() => {
    if (!settingsOpen) return false;
    closeSettings();
    return true;
  });

  return (
    <div className="sp-dialer" onKeyDown={escapeSettings}>
      <header className="sp-header">
        <div className="sp-header__row">
          <h1 className="sp-title">Phone</h1>
          <Availability />
          <button
            ref={settingsButton}
            type="button"
            className="sp-button sp-button--ghost sp-settings-toggle"
            aria-expanded={settingsOpen}
            onClick={() => (settingsOpen ? closeSettings() : setSettings('open'))}
          >
            <Icon name="settings" />
            Settings
          </button>
        </div>
        <LineStatus />
        <Suspense fallback={null}>
          <RecentCalls />
        </Suspense>
        <TabHolder role={role} />
        <FrontBar />
      </header>
      <main ref={screenRef} className="sp-main">
        <StatusAnnouncer />
        <Notices />
        {hasNextCall && (
          <Suspense fallback={null}>
            <NextCall />
          </Suspense>
        )}
        <LaterWaitingCall />
        <div className="sp-screens" hidden={settingsOpen}>
          <CurrentScreen screen={screen} tagOptions={tagOptions} />
          {SCREENS_WITH_NOTES.has(screen) && (
            <Suspense fallback={null}>
              <CallNotes />
            </Suspense>
          )}
          {!SCREENS_WITH_OWN_ERROR.has(screen) && <InputError id={errorId} />}
        </div>
        {settings !== 'never' && <SettingsView open={settingsOpen} onBack={closeSettings} />}
      </main>
      {simulator && onSimulatedLine && !settingsOpen && (
        <Suspense fallback={null}>
          <SimulatedLinePanel simulator={simulator} disabled={!canRing} />
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
    case 'transfer':
      return <LaterScreen screen={screen} />;
    case 'tagging':
    case 'ended':
      return <LaterScreen screen={screen} tagOptions={tagOptions} />;
  }
}

/**
 * When the screen changes, focus moves to the new screen's `data-autofocus` element (the caller's
 * name when a call rings in, the number field back on the dial screen, ...), but only when the
 * focus is already in the plugin. Not on first render: the sidebar must not steal focus from
 * Front when it loads.
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

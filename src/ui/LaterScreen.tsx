import { useEffect, useState } from 'react';
import type { TagOption } from './Dialer';
import { useDialer } from './dialerContext';

type LaterScreens = typeof import('./laterScreens');

let loaded: LaterScreens | null = null;
let loading: Promise<LaterScreens> | null = null;

/**
 * Fetches the later screens once (again after a failure). The Dialer calls it right after its
 * first render; tests await it before rendering, so those screens then render synchronously.
 */
export function preloadLaterScreens(): Promise<LaterScreens> {
  loading ??= import('./laterScreens').then(
    (screens) => (loaded = screens),
    (error: unknown) => {
      loading = null;
      throw error;
    },
  );
  return loading;
}

type Props =
  | { screen: 'inCall' | 'transfer' }
  | { screen: 'tagging' | 'ended'; tagOptions: readonly TagOption[] };

/** The later screens' module once loaded (null until then), and whether loading it failed. */
function useLaterScreens(): { screens: LaterScreens | null; failed: boolean } {
  const [screens, setScreens] = useState(loaded);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (screens) return;
    let live = true;
    preloadLaterScreens().then(
      (s) => live && setScreens(s),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [screens]);
  return { screens, failed };
}

/**
 * The other call's panel (a waiting caller, the call on hold), from the later chunk: it only ever
 * shows during a call, long after that chunk arrived. Until it has, the status region has already
 * announced the waiting caller.
 */
export function LaterWaitingCall() {
  const active = useDialer((s) => s.context.waiting !== null || s.context.held !== null || s.context.lastHeldEnd !== null);
  if (!active) return null;
  return <LoadedWaitingCall />;
}

function LoadedWaitingCall() {
  const { screens } = useLaterScreens();
  return screens ? <screens.WaitingCall /> : null;
}

/** One of the later screens, or a short line while its chunk arrives (or why it did not). */
export function LaterScreen(props: Props) {
  const { screens, failed } = useLaterScreens();

  if (!screens) {
    return (
      <p className="sp-muted" role={failed ? 'alert' : undefined}>
        {failed ? 'This screen could not be loaded: check the connection.' : 'Loading...'}
      </p>
    );
  }

  switch (props.screen) {
    case 'inCall':
      return <screens.InCallControls />;
    case 'transfer':
      return <screens.WarmTransfer />;
    case 'tagging':
      return <screens.MandatoryTagging tagOptions={props.tagOptions} />;
    case 'ended':
      return <screens.EndedSummary tagOptions={props.tagOptions} />;
  }
}

import { useEffect, useState } from 'react';
import type { TagOption } from './Dialer';

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

/** One of the later screens, or a short line while its chunk arrives (or why it did not). */
export function LaterScreen(props: Props) {
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

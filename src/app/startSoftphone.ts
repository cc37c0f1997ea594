import { connectFront, type FrontConnection, type NormalizedHandle } from '../front/connectFront';
import type { FrontHost } from '../front/host';
import { createFrontSession, type FrontSession } from '../front/session';
import { DEFAULT_REGION, loadPhoneTools, phoneToolsIfLoaded, type PhoneTools } from '../phone';
import type { Line } from '../telephony/line';
import { listenForSimulatorMessages } from '../telephony/simulated/remoteControl';
import { createDialer, type DialerActorInstance } from './createDialer';
import { recordDiagnostics, type DiagnosticsLog } from './diagnostics';
import { loadSettings, persistSettings } from './settingsStorage';
import { currentSimulatedLine } from './simulator';

export interface SoftphoneOptions {
  readonly line: Line;
  readonly host: FrontHost;
  readonly storage?: Storage | undefined;
  /**
   * Region for numbers written without +country code (Front shows many that way); may still be
   * loading (the deployment config), in which case numbers wait for it.
   */
  readonly defaultRegion?: string | Promise<string>;
  /** The window that may drive the simulated line (the local Front workspace); none in production. */
  readonly simulatorParent?: { target: Pick<Window, 'addEventListener' | 'removeEventListener'>; parent: unknown } | null;
}

export interface Softphone {
  readonly actor: DialerActorInstance;
  readonly session: FrontSession;
  readonly front: FrontConnection;
  readonly diagnostics: DiagnosticsLog;
  stop(): void;
}

/**
 * The composition root: the call machine over a line, connected to Front. Everything that talks
 * to the outside world is passed in, so tests build the same thing with fakes.
 */
export function startSoftphone({ line, host, storage, defaultRegion = DEFAULT_REGION, simulatorParent = null }: SoftphoneOptions): Softphone {
  const actor = createDialer({ line, settings: loadSettings(storage) });
  const diagnostics = recordDiagnostics(actor);
  const stopPersisting = persistSettings(actor, storage);
  const session = createFrontSession();

  // The region may still be loading; once known, numbers are read in the same task as the click.
  let region: string | null = typeof defaultRegion === 'string' ? defaultRegion : null;
  const regionReady = Promise.resolve(defaultRegion).then((value) => (region = value));
  const read = (tools: PhoneTools, handle: string, inRegion: string): NormalizedHandle => {
    const result = tools.normalizeHandle(handle, inRegion);
    return result.ok ? { ok: true, e164: result.e164, ...(result.extension ? { extension: result.extension } : {}) } : result;
  };
  const normalize = (handle: string): NormalizedHandle | Promise<NormalizedHandle> => {
    const tools = phoneToolsIfLoaded();
    if (tools && region !== null) return read(tools, handle, region);
    return Promise.all([loadPhoneTools(), regionReady]).then(
      ([loaded, inRegion]) => read(loaded, handle, inRegion),
      () => ({ ok: false, error: 'Phone numbers cannot be read right now: reload the plugin and try again.' }),
    );
  };

  actor.start();
  const front = connectFront({ host, session, dialer: actor, normalize, report: (d) => diagnostics.add('front', d) });

  // The page embedding the plugin (the local Front workspace) may play the simulated network's
  // far end, whichever simulated line is in use when its message arrives.
  const stopSimulator = simulatorParent
    ? listenForSimulatorMessages(() => currentSimulatedLine(line), simulatorParent.target, simulatorParent.parent, (message) =>
        diagnostics.add('simulator', { code: 'simulator_refused', message }),
      )
    : () => {};

  return {
    actor,
    session,
    front,
    diagnostics,
    stop() {
      stopSimulator();
      front.stop();
      stopPersisting();
      diagnostics.stop();
      actor.stop();
      line.dispose();
    },
  };
}

import type { FrontConnection, NormalizedHandle } from '../front/connectFront';
import type { FrontHost, HostContext } from '../front/host';
import { createFrontSession, type FrontSession } from '../front/session';
import { DEFAULT_REGION, loadPhoneTools, phoneToolsIfLoaded, type PhoneTools } from '../phone';
import type { Line } from '../telephony/line';
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
  // What Front sent and the host ignored (a malformed context update) is said, never silent.
  const stopHostProblems = host.onProblem?.((problem) => diagnostics.add('front', problem)) ?? (() => {});

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

  // The Front connector and the simulator door load beside the Front SDK (itself lazy), off the
  // first render. Contexts that arrive meanwhile are kept, every one, and replayed in order.
  const buffered = replayingHost(host);
  let stopped = false;
  const connection: Promise<FrontConnection | null> = import('../front/connectFront').then(({ connectFront }) =>
    stopped ? null : connectFront({ host: buffered, session, dialer: actor, normalize, report: (d) => diagnostics.add('front', d) }),
  );
  const front: FrontConnection = {
    call: (handle) => connection.then((c) => c?.call(handle)),
    stop: () => void connection.then((c) => c?.stop()),
  };

  // The page embedding the plugin (the local Front workspace) may play the simulated network's
  // far end, whichever simulated line is in use when its message arrives.
  const simulator = simulatorParent
    ? import('../telephony/simulated/remoteControl').then(({ listenForSimulatorMessages }) =>
        stopped
          ? () => {}
          : listenForSimulatorMessages(() => currentSimulatedLine(line), simulatorParent.target, simulatorParent.parent, (message) =>
              diagnostics.add('simulator', { code: 'simulator_refused', message }),
            ),
      )
    : Promise.resolve(() => {});

  return {
    actor,
    session,
    front,
    diagnostics,
    stop() {
      stopped = true;
      void simulator.then((stop) => stop());
      front.stop();
      buffered.stop();
      stopHostProblems();
      stopPersisting();
      diagnostics.stop();
      actor.stop();
      line.dispose();
    },
  };
}

/**
 * A host whose contexts are all kept from now until the first listener subscribes, then replayed
 * to it in order (a plain host replays only the latest, and a Call-button click in an earlier
 * context must not be lost while the connector loads).
 */
function replayingHost(host: FrontHost): FrontHost & { stop(): void } {
  const early: HostContext[] = [];
  const listeners = new Set<(context: HostContext) => void>();
  let latest: HostContext | null = null;
  const stop = host.subscribe((context) => {
    latest = context;
    if (listeners.size === 0) early.push(context);
    else for (const listener of [...listeners]) listener(context);
  });
  return {
    displayNotification: (n) => host.displayNotification(n),
    dismissNotification: (id) => host.dismissNotification(id),
    listTags: () => host.listTags(),
    tagConversation: (ids) => host.tagConversation(ids),
    openUrl: (url) => host.openUrl(url),
    subscribe(listener) {
      listeners.add(listener);
      const replay = early.length > 0 ? early.splice(0) : latest ? [latest] : [];
      for (const context of replay) listener(context);
      return () => listeners.delete(listener);
    },
    stop,
  };
}

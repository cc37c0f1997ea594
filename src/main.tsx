import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startSoftphone } from './app/startSoftphone';
import { createCallLogRelay } from './calllog/view';
import { createFrontSdkHost } from './front/sdk/frontSdkHost';
import { createNumberReader, loadPhoneTools } from './phone';
import type { SimulatorControls } from './ui';
import { lineChoiceView, sharedCallLogStatus } from './app/sharedPhone';
import { deferLine } from './telephony/deferredLine';
import { SIMULATED_CAPABILITIES } from './telephony/simulated/capabilities';
import { createSwitchableLine } from './telephony/switchableLine';

function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

const storage = browserStorage();
// Read beside the plugin, off the first render (numbers wait for its region).
const deployment = import('./app/deploymentConfig').then(({ loadDeploymentConfig }) => loadDeploymentConfig());
// Demo stays demo (src/app/demo.ts): the simulated network loads right after start-up, off the
// initial bundle, only where the deployment offers it; the dialer is usable at once (a call placed
// meanwhile goes out as soon as the line is there). The SIP line replaces it when the agent
// connects an account (its stack, JsSIP, loads only then).
const simulatedOffered = deployment.then(({ config }) => config.simulatedLine);
// (The rule itself, ./app/demo.ts, loads off the first render too.)
const simulatedLine = () =>
  deferLine('simulated', SIMULATED_CAPABILITIES, () => import('./app/demo').then(({ loadSimulatedLineIfOffered }) => loadSimulatedLineIfOffered(simulatedOffered)));
// Every number dialled (typed, keypad, Call button, transfer, call back) goes through this reader,
// with the deployment's region and extension rule.
const numbers = createNumberReader({
  rules: deployment.then(({ config }) => ({ region: config.defaultRegion, extensions: config.extensions })),
  // Internal extensions exist on a phone system, not on the simulated line.
  extensionsOnLine: () => softphone.shared.getState().line?.kind === 'sip',
});
const host = createFrontSdkHost();
const dev = import.meta.env.DEV
  ? { url: import.meta.env.VITE_CALL_LOG_URL as string | undefined, token: import.meta.env.VITE_CALL_LOG_TOKEN as string | undefined }
  : undefined;
// The call log's module (settings form, reporter) loads off the initial bundle, in every tab.
const callLogModule = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => import('./calllog'));
const callLogSettings = callLogModule.then(({ createCallLogSettings }) => {
  const settings = createCallLogSettings({ storage, ...(dev ? { defaults: dev } : {}) });
  if (!dev?.url) void deployment.then(({ config }) => config.server.url && settings.setDefaultUrl(config.server.url));
  return settings;
});

// One phone per browser profile: the instance that owns it (src/tabs) makes the line, registers,
// rings, notifies and reports the calls; every other Front tab mirrors it and sends it intents.
const softphone = startSoftphone({
  line: () => createSwitchableLine(simulatedLine()),
  numbers,
  host,
  storage,
  // The simulated line's far end can be played by the page embedding the plugin (the local Front
  // workspace); a real line has no such door.
  simulatorParent: simulatedOffered.then((offered) => (offered && window.parent !== window ? { target: window, parent: window.parent } : null)),
  tabs: 'platform',
  page: window,
  onOwner(phone) {
    if (import.meta.env.DEV) {
      // For debugging and `npm run bench` (dev server only; never in the production bundle).
      Object.defineProperty(window, '__softphone', { value: { actor: phone.actor, line: phone.line, host }, configurable: true });
    }
    // What only the owner runs (line choice, TURN, the reporter, recent calls) loads only in the owner.
    let stop: (() => void) | null = null;
    let stopped = false;
    void import('./app/ownerShare').then(({ setUpOwner }) => {
      if (stopped) return;
      stop = setUpOwner(phone, { softphone, storage, simulatedLine, deployment, callLogModule, callLogSettings });
    });
    return () => {
      stopped = true;
      stop?.();
    };
  },
});

void deployment.then(({ problem }) => problem && softphone.diagnostics.add('front', { code: 'config_invalid', message: problem }));
if (import.meta.env.DEV) Object.defineProperty(window, '__softphoneDiagnostics', { value: softphone.diagnostics, configurable: true });

// What every tab shows: the owner's line and call log, its settings forms sending their changes to it.
const lines = lineChoiceView(softphone.shared, softphone.command);
const callLog = createCallLogRelay();
void Promise.all([callLogModule, callLogSettings]).then(([{ CALL_LOG_SETTINGS_KEY }, settings]) => {
  callLog.attach({ settings, reporter: sharedCallLogStatus(softphone.shared) });
  // Settings saved in another tab apply here too (the owner's reporter uses this very store).
  window.addEventListener('storage', (event) => {
    if (event.key === null || event.key === CALL_LOG_SETTINGS_KEY) settings.reload();
  });
});

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
const root = createRoot(container);
const render = (simulator: SimulatorControls | null) =>
  root.render(
    <App
      actor={softphone.actor}
      role={softphone.role}
      simulator={simulator}
      front={{
        session: softphone.session,
        call: (handle) => void softphone.front.call(handle),
        openUrl: (url) => void host.openUrl(url).catch(() => undefined),
        // Front's teammates joined with the deployment's directory when the transfer form opens (off the first screen).
        transferTeammates: () =>
          import('./front/teammateDirectory').then(({ transferTeammates }) =>
            transferTeammates(host, deployment.then(({ config }) => config.directory), () => softphone.session.getState().teammate?.id ?? null),
          ),
      }}
      lines={lines}
      callLog={callLog}
      numbers={numbers}
    />,
  );
render(null);
// The simulated line's panel (a lazy chunk) only where the deployment offers that line.
void simulatedOffered.then((offered) => {
  if (!offered) return;
  void import('./app/simulator').then(({ simulatorControlsVia }) =>
    render(simulatorControlsVia(softphone.command, (message) => softphone.diagnostics.add('simulator', { code: 'simulator_refused', message }))),
  );
});

// Phone-number metadata is loaded right after first render, off the initial bundle, so the first
// Call-button click does not wait for it.
setTimeout(() => void loadPhoneTools().catch(() => undefined), 0);

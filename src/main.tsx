import { createRoot } from 'react-dom/client';
import { App, simulatorControls, startSoftphone } from './app';
import { createCallLogRelay } from './calllog/view';
import { createFrontSdkHost } from './front/sdk/frontSdkHost';
import { loadPhoneTools } from './phone';
import { reportSipLog } from './app/diagnostics';
import { createLineManager } from './app/lineManager';
import { deferLine } from './telephony/deferredLine';
import { SIMULATED_CAPABILITIES } from './telephony/simulated/catalog';
import { createSwitchableLine } from './telephony/switchableLine';

function browserStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

// The simulated network loads right after start-up, off the initial bundle; the dialer is usable
// at once (a call placed meanwhile goes out as soon as the line is there). The SIP line replaces
// it when the agent connects an account (its stack, JsSIP, loads only then).
const simulatedLine = () =>
  deferLine('simulated', SIMULATED_CAPABILITIES, () =>
    import('./telephony/simulated/simulatedLine').then(({ createSimulatedLine }) => createSimulatedLine()),
  );
const line = createSwitchableLine(simulatedLine());
const storage = browserStorage();
// Read beside the plugin, off the first render (numbers wait for its region).
const deployment = import('./app/deploymentConfig').then(({ loadDeploymentConfig }) => loadDeploymentConfig());
const host = createFrontSdkHost();
const softphone = startSoftphone({
  line,
  defaultRegion: deployment.then(({ config }) => config.defaultRegion),
  host,
  storage,
  // The simulated line's far end can be played by the page embedding the plugin (the local Front
  // workspace); a real line has no such door.
  simulatorParent: window.parent !== window ? { target: window, parent: window.parent } : null,
});

const lines = createLineManager({
  line,
  dialer: softphone.actor,
  simulated: simulatedLine,
  createSip: (account, options) =>
    import('./telephony/sip').then(({ createSipLine }) => createSipLine(account, { ...options, logger: reportSipLog(softphone.diagnostics) })),
  storage,
});

void deployment.then(({ config }) => lines.setDefaults(config.sip));
void deployment.then(({ problem }) => problem && softphone.diagnostics.add('front', { code: 'config_invalid', message: problem }));

if (import.meta.env.DEV) {
  // For debugging and `npm run bench` (dev server only; never in the production bundle).
  Object.defineProperty(window, '__softphoneDiagnostics', { value: softphone.diagnostics, configurable: true });
  Object.defineProperty(window, '__softphone', { value: { actor: softphone.actor, line, host }, configurable: true });
}

// Call logging: settings and status relay now, the reporter (IndexedDB, HTTP) right after first render.
const callLog = createCallLogRelay();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
createRoot(container).render(
  <App
    actor={softphone.actor}
    simulator={simulatorControls(line, (message) => softphone.diagnostics.add('simulator', { code: 'simulator_refused', message }))}
    front={{ session: softphone.session, call: (handle) => void softphone.front.call(handle) }}
    lines={lines}
    callLog={callLog}
  />,
);

// Phone-number metadata is loaded right after first render, off the initial bundle, so the first
// Call-button click does not wait for it.
setTimeout(() => void loadPhoneTools().catch(() => undefined), 0);

// The call log's reporter loads off the initial bundle. In dev builds only, `VITE_CALL_LOG_URL` /
// `VITE_CALL_LOG_TOKEN` (set by the local demo) are its defaults; production takes the URL from the
// deployment config and the token from the teammate's settings.
setTimeout(
  () =>
    void import('./calllog')
      .then(({ startCallLog }) => {
        const dev = import.meta.env.DEV
          ? { url: import.meta.env.VITE_CALL_LOG_URL as string | undefined, token: import.meta.env.VITE_CALL_LOG_TOKEN as string | undefined }
          : undefined;
        const started = startCallLog({
          dialer: softphone.actor,
          storage,
          ...(dev ? { defaults: dev } : {}),
          deploymentUrl: deployment.then(({ config }) => config.server.url),
          frontTags: () => softphone.session.getState().tags,
          onProblem: ({ code, message, callId }) => softphone.diagnostics.add('calllog', { code, message, ...(callId ? { callId } : {}) }),
          online: window,
        });
        callLog.attach(started);
      })
      .catch(() => softphone.diagnostics.add('calllog', { code: 'calllog_unavailable', message: 'Call logging could not be loaded: reload the plugin.' })),
  0,
);

import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startSoftphone } from './app/startSoftphone';
import { createCallLogRelay } from './calllog/view';
import { createFrontSdkHost } from './front/sdk/frontSdkHost';
import { loadPhoneTools } from './phone';
import { reportSipLog } from './app/diagnostics';
import { lineChoiceView, shareCallLogStatus, shareLineChoice, sharedCallLogStatus } from './app/sharedPhone';
import { simulatorControlsVia } from './app/simulator';
import { deferLine } from './telephony/deferredLine';
import { SIMULATED_CAPABILITIES } from './telephony/simulated/catalog';
import { createSwitchableLine, type SwitchableLine } from './telephony/switchableLine';

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
const storage = browserStorage();
// Read beside the plugin, off the first render (numbers wait for its region).
const deployment = import('./app/deploymentConfig').then(({ loadDeploymentConfig }) => loadDeploymentConfig());
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
  defaultRegion: deployment.then(({ config }) => config.defaultRegion),
  host,
  storage,
  // The simulated line's far end can be played by the page embedding the plugin (the local Front
  // workspace); a real line has no such door.
  simulatorParent: window.parent !== window ? { target: window, parent: window.parent } : null,
  tabs: 'platform',
  page: window,
  onOwner(phone) {
    const line = phone.line as SwitchableLine;
    let stopped = false;
    // The line choice (and the SIP account it reconnects) loads with the phone, off the first render.
    let stopLines = () => {};
    void import('./app/lineManager').then(({ createLineManager }) => {
      if (stopped) return;
      const lines = createLineManager({
        line,
        dialer: phone.actor,
        simulated: simulatedLine,
        createSip: (account, options) =>
          import('./telephony/sip').then(({ createSipLine, profileSipInstanceId }) =>
            // One SIP device per browser profile: whichever tab owns the phone registers as it, so the
            // registrar keeps one contact for the account (the new owner's replaces the old one's).
            createSipLine(account, { ...options, instanceId: profileSipInstanceId(storage), logger: reportSipLog(softphone.diagnostics) }),
          ),
        storage,
        // Short-lived TURN credentials from the call-logging server, with the teammate's call-log token.
        turnCredentials(onServers) {
          let stop = () => {};
          let over = false;
          void Promise.all([callLogSettings, import('./app/turnCredentials')]).then(([settings, { startTurnCredentials }]) => {
            if (over) return;
            stop = startTurnCredentials({
              server: () => settings.current(),
              onServers,
              onProblem: (message) => softphone.diagnostics.add('line', { code: 'turn_credentials', message }),
            });
          });
          return () => {
            over = true;
            stop();
          };
        },
      });
      const stopSharing = shareLineChoice(lines, phone);
      void deployment.then(({ config }) => lines.setDefaults(config.sip));
      stopLines = () => {
        stopSharing();
        lines.stop();
      };
    });

    // The reporter: only the owner reports calls, so each call is logged once whatever the tabs.
    let stopCallLog = () => {};
    void Promise.all([callLogModule, callLogSettings])
      .then(([{ startCallLog }, settings]) => {
        if (stopped) return;
        const started = startCallLog({
          dialer: phone.actor,
          storage,
          settings,
          frontTags: () => softphone.session.getState().tags,
          onProblem: ({ code, message, callId }) => softphone.diagnostics.add('calllog', { code, message, ...(callId ? { callId } : {}) }),
          online: window,
        });
        const stopSharing = shareCallLogStatus(started.reporter, phone);
        stopCallLog = () => {
          stopSharing();
          started.stop();
        };
      })
      .catch(() => softphone.diagnostics.add('calllog', { code: 'calllog_unavailable', message: 'Call logging could not be loaded: reload the plugin.' }));

    if (import.meta.env.DEV) {
      // For debugging and `npm run bench` (dev server only; never in the production bundle).
      Object.defineProperty(window, '__softphone', { value: { actor: phone.actor, line, host }, configurable: true });
    }
    return () => {
      stopped = true;
      stopCallLog();
      stopLines();
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
createRoot(container).render(
  <App
    actor={softphone.actor}
    role={softphone.role}
    simulator={simulatorControlsVia(softphone.command, (message) => softphone.diagnostics.add('simulator', { code: 'simulator_refused', message }))}
    front={{
      session: softphone.session,
      call: (handle) => void softphone.front.call(handle),
      // Front's teammates joined with the deployment's directory when the transfer form opens (off the first screen).
      transferTeammates: () =>
        import('./front/teammateDirectory').then(({ transferTeammates }) =>
          transferTeammates(host, deployment.then(({ config }) => config.directory), () => softphone.session.getState().teammate?.id ?? null),
        ),
    }}
    lines={lines}
    callLog={callLog}
  />,
);

// Phone-number metadata is loaded right after first render, off the initial bundle, so the first
// Call-button click does not wait for it.
setTimeout(() => void loadPhoneTools().catch(() => undefined), 0);

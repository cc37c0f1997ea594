/**
 * What only the owner of the phone runs beside it (main.tsx's onOwner): the line choice with the
 * SIP account it reconnects and TURN credentials, the call log's reporter, the recent-calls
 * recorder, callers' names from Front's contacts (./contactNames.ts), and sharing the line choice and call-log status with every tab (./sharedPhone.ts has
 * what every tab reads). A lazy module, loaded only in the owner, so none of it weighs on any
 * tab's first screen.
 */
import type { CallLogSettingsController } from '../calllog';
import type { CallLogStatusSource } from '../calllog/view';
import type { Line } from '../telephony/line';
import type { SwitchableLine } from '../telephony/switchableLine';
import { reportSipLog } from './diagnostics';
import type { ConfigResult } from './deploymentConfig';
import type { LineManager } from './lineManager';
import type { OwnerPhone, Softphone } from './startSoftphone';

export interface OwnerSetup {
  readonly softphone: Softphone;
  readonly storage: Storage | undefined;
  readonly simulatedLine: () => Line;
  readonly deployment: Promise<ConfigResult>;
  readonly callLogModule: Promise<typeof import('../calllog')>;
  readonly callLogSettings: Promise<CallLogSettingsController>;
}

/** Starts what the owner runs beside `phone`; returns what stops it. */
export function setUpOwner(phone: OwnerPhone, { softphone, storage, simulatedLine, deployment, callLogModule, callLogSettings }: OwnerSetup): () => void {
  const line = phone.line as SwitchableLine;
  let stopped = false;
  // The line choice (and the SIP account it reconnects) loads with the phone, off the first render.
  let stopLines = () => {};
  void import('./lineManager').then(({ createLineManager }) => {
    if (stopped) return;
    const lines = createLineManager({
      line,
      dialer: phone.actor,
      simulated: simulatedLine,
      createSip: (account, options) =>
        import('../telephony/sip').then(({ createSipLine, profileSipInstanceId }) =>
          // One SIP device per browser profile: whichever tab owns the phone registers as it, so the
          // registrar keeps one contact for the account (the new owner's replaces the old one's).
          createSipLine(account, { ...options, instanceId: profileSipInstanceId(storage), logger: reportSipLog(softphone.diagnostics) }),
        ),
      storage,
      // Short-lived TURN credentials from the call-logging server, with the teammate's call-log token.
      turnCredentials(onServers) {
        let stop = () => {};
        let over = false;
        void Promise.all([callLogSettings, import('./turnCredentials')]).then(([settings, { startTurnCredentials }]) => {
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
  void Promise.all([callLogModule, callLogSettings, import('./demo'), deployment])
    .then(([{ startCallLog }, settings, { skipSimulatedCalls }, { config }]) => {
      if (stopped) return;
      const started = startCallLog({
        dialer: phone.actor,
        storage,
        settings,
        frontTags: () => softphone.session.getState().tags,
        onProblem: ({ code, message, callId }) => softphone.diagnostics.add('calllog', { code, message, ...(callId ? { callId } : {}) }),
        online: window,
        skipCall: skipSimulatedCalls(() => config.demo, () => line.kind),
      });
      const stopSharing = shareCallLogStatus(started.reporter, phone);
      stopCallLog = () => {
        stopSharing();
        started.stop();
      };
    })
    .catch(() => softphone.diagnostics.add('calllog', { code: 'calllog_unavailable', message: 'Call logging could not be loaded: reload the plugin.' }));

  // Names of callers Front knows, for incoming calls that ring without one (never delays the ring).
  let stopNames = () => {};
  void Promise.all([callLogSettings, import('./contactNames')]).then(
    ([settings, { startContactNames }]) => !stopped && (stopNames = startContactNames({ dialer: phone.actor, server: () => settings.current() })),
    () => undefined,
  );

  // Recent calls: the owner records each call of the teammate as it ends (every tab reads them).
  let stopRecents = () => {};
  void import('../recents').then(({ recordOwnerCalls }) => !stopped && (stopRecents = recordOwnerCalls(phone.actor, softphone)), () => undefined);

  return () => {
    stopped = true;
    stopCallLog();
    stopLines();
    stopRecents();
    stopNames();
  };
}

/**
 * The owner's line manager, shared: every change of its state reaches every tab, and every tab's
 * Connect / Disconnect / device choice runs here. Returns the stop.
 */
export function shareLineChoice(lines: LineManager, phone: OwnerPhone): () => void {
  phone.share({ line: lines.getState() });
  const stop = lines.subscribe(() => phone.share({ line: lines.getState() }));
  phone.handle('PHONE.LINE_CONNECT', ({ account }) => lines.connect(account));
  phone.handle('PHONE.LINE_DISCONNECT', () => lines.disconnect());
  phone.handle('PHONE.LINE_DEVICES', ({ devices }) => lines.setDevices(devices));
  phone.handle('PHONE.LINE_DEFAULTS', ({ defaults }) => lines.setDefaults(defaults));
  return stop;
}

/** Shares the reporter's word on the owner's call on screen whenever either changes. Returns the stop. */
export function shareCallLogStatus(reporter: CallLogStatusSource, phone: OwnerPhone): () => void {
  let last = '';
  const update = () => {
    const callId = phone.actor.getSnapshot().context.call?.callId ?? null;
    const status = callId ? reporter.status(callId) : null;
    const next = callId && status ? { callId, status } : null;
    const key = JSON.stringify(next);
    if (key === last) return;
    last = key;
    phone.share({ callLog: next });
  };
  update();
  const stopReporter = reporter.subscribe(update);
  const subscription = phone.actor.subscribe(update);
  return () => {
    stopReporter();
    subscription.unsubscribe();
  };
}

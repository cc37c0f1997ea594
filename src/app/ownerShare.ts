/**
 * What only the owner of the phone runs to share its line choice and call-log status with every
 * tab (./sharedPhone.ts has what every tab reads). Loaded with the owner's line and call log, off
 * the first render.
 */
import type { CallLogStatusSource } from '../calllog/view';
import type { LineManager } from './lineManager';
import type { OwnerPhone } from './startSoftphone';

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

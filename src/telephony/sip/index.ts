/**
 * The SIP line's public API: account validation, and `createSipLine`, which loads the SIP stack
 * (JsSIP) on demand. Nothing here imports JsSIP: it arrives with the first `createSipLine` call, in
 * a chunk of its own, so it is not part of the initial bundle.
 */
import { LineError } from '../line';
import { validateSipAccount, type SipAccount } from './account';
import type { SipLine, SipLineOptions } from './types';

export { validateSipAccount, type SipAccount, type SipAccountField, type SipAccountValidation } from './account';
export type { RegistrationState, Registration } from './registration';
export { REGISTRATION_REASONS } from './registration';
export { profileSipInstanceId, SIP_INSTANCE_KEY } from './instanceId';
export type { SipDevices } from './media';
export type { SipLine, SipLineOptions, SipLogEntry } from './types';

/**
 * Creates the SIP line for an account and starts registering: the line's `registration` says when
 * incoming calls can arrive. Rejects with a {@link LineError} `invalid_argument` when the account
 * does not pass {@link validateSipAccount} (the message names the fields, never the password), and
 * `unsupported` when the browser has no WebRTC.
 */
export async function createSipLine(account: SipAccount, options: SipLineOptions = {}): Promise<SipLine> {
  const checked = validateSipAccount(account);
  if (!checked.ok) {
    throw new LineError('invalid_argument', `The SIP account is not valid: ${Object.keys(checked.errors).join(', ')}.`);
  }
  if (typeof globalThis.RTCPeerConnection !== 'function') {
    throw new LineError('unsupported', 'This browser cannot make calls (no WebRTC).');
  }
  const [{ createSipLineWith }, { createJsSipUserAgent }, { browserMedia }] = await Promise.all([
    import('./sipLine'),
    import('./jssip'),
    import('./media'),
  ]);
  return createSipLineWith(checked.account, options, {
    createUserAgent: createJsSipUserAgent,
    media: browserMedia(options.ringtoneUrl === undefined ? {} : { ringtoneUrl: options.ringtoneUrl }),
  });
}

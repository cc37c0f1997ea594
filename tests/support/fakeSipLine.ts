import type { RegistrationState, SipDevices, SipLine } from '../../src/telephony/sip';
import { createRegistrationStore } from '../../src/telephony/sip/registration';
import { FakeLine } from './fakeLine';

/** A FakeLine that looks like the SIP line: registration store, devices, sign in / out. */
export class FakeSipLine extends FakeLine implements SipLine {
  override readonly kind = 'sip' as never;
  devices: SipDevices = {};
  disposed = false;
  readonly registration = createRegistrationStore({ status: 'registering', reason: 'Signing in to the phone server...' });

  constructor() {
    super({ hold: true, mute: true, dtmf: true, warmTransfer: true, recording: false, conference: true, audioStats: true });
  }

  setRegistration(state: RegistrationState): void {
    this.registration.set(state);
  }

  /** When set, setDevices keeps the choice and rejects with it (as the SIP line does when a sink fails). */
  devicesError: Error | null = null;

  async setDevices(devices: SipDevices): Promise<void> {
    this.devices = { ...this.devices, ...devices };
    if (this.devicesError) throw this.devicesError;
  }
  /** Every list given to setIceServers, oldest first. */
  readonly iceServerUpdates: RTCIceServer[][] = [];
  setIceServers(servers: readonly RTCIceServer[]): void {
    this.iceServerUpdates.push([...servers]);
  }
  async unregister(): Promise<void> {}
  async register(): Promise<void> {}
  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }
}

/** The composition root: wires a line to the call machine and mounts the dialer. */
export { App, type AppProps } from './App';
export { createDialer, type CreateDialerOptions, type DialerActorInstance } from './createDialer';
export { recordDiagnostics, type DiagnosticEntry, type DiagnosticsLog } from './diagnostics';
export { loadSettings, persistSettings, saveSettings } from './settingsStorage';
export { simulatorControls } from './simulator';
export { startSoftphone, type Softphone, type SoftphoneOptions } from './startSoftphone';

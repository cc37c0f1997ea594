/**
 * The call-logging server's public API: start it from code (tests, `npm start`) or from the CLI
 * (server/cli.ts). See server/README.md.
 */
export { startServer, type RunningServer, type ServerDeps } from './app';
export { loadConfig, describeConfig, ConfigError, DEFAULTS, type ServerConfig, type OutboxTuning } from './config';
export { mapStep, VALID_TRANSITIONS, isValidTransition, type FrontCallStatus, type LifecycleStep } from './calls/mapping';

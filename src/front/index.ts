/** The Front integration: the host port, its SDK adapter, the session and the connector. */
export { createFrontSdkHost, HOST_TIMEOUT_MS } from './sdk/frontSdkHost';
export { connectFront, type ConnectFrontOptions, type FrontConnection, type FrontDiagnostic, type NormalizedHandle } from './connectFront';
export { createFrontSession, type FrontSession, type FrontSessionState } from './session';
export * from './host';

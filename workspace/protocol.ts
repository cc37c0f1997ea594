/**
 * The wire protocol between Front (the host window) and a plugin iframe, host side, as
 * `@frontapp/plugin-sdk@1.10.0` speaks it (`dist/index.es.js`):
 *
 * 1. The SDK posts the string {@link HANDSHAKE} to `window.parent`, transferring a MessagePort.
 *    Everything else goes over that port.
 * 2. Host -> plugin: `{ type: 'context_update', context }`.
 * 3. Plugin -> host: `{ type: 'function_call', id, contextId, name, args }`; the host answers
 *    `{ type: 'function_result', id, value }` or `{ type: 'function_error', id, error }` (the SDK
 *    rejects with `new Error(String(error))`).
 * 4. Plugin -> host: `{ type: 'function_cancel', id }`; a cancelled call gets no answer.
 */
import type { FrontContext } from './frontTypes';

export const HANDSHAKE = '@frontapp/ui-sdk#WebViewBridge.handshake';

export interface ContextUpdateMessage {
  readonly type: 'context_update';
  readonly context: FrontContext;
}

export interface FunctionCallMessage {
  readonly type: 'function_call';
  readonly id: string;
  readonly contextId: string;
  readonly name: string;
  readonly args: readonly unknown[];
}

export interface FunctionCancelMessage {
  readonly type: 'function_cancel';
  readonly id: string;
}

export interface FunctionResultMessage {
  readonly type: 'function_result';
  readonly id: string;
  readonly value: unknown;
}

export interface FunctionErrorMessage {
  readonly type: 'function_error';
  readonly id: string;
  readonly error: string;
}

export type HostToPluginMessage = ContextUpdateMessage | FunctionResultMessage | FunctionErrorMessage;
export type PluginToHostMessage = FunctionCallMessage | FunctionCancelMessage;

/** Reads a message from the plugin's port; anything that is not one of the two shapes is null. */
export function parsePluginMessage(data: unknown): PluginToHostMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  if (typeof message.id !== 'string' || message.id === '') return null;
  if (message.type === 'function_cancel') return { type: 'function_cancel', id: message.id };
  if (message.type !== 'function_call') return null;
  if (typeof message.contextId !== 'string' || typeof message.name !== 'string' || !Array.isArray(message.args)) return null;
  return { type: 'function_call', id: message.id, contextId: message.contextId, name: message.name, args: message.args };
}

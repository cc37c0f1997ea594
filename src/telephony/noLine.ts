import { fromCallback } from 'xstate';
import type { BridgeEvent } from './bridge';
import type { LineCommand } from './line';

/**
 * A bridge to no line at all: the machine's default until a real line is provided. Apart from
 * ./bridge.ts, so the machine does not pull the protocol's validation into the first render.
 */
export const noLine = fromCallback<LineCommand, void, BridgeEvent>(() => () => {});

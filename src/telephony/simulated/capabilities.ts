/**
 * The simulated line's capabilities alone: the dialer needs them at start-up, while its test
 * numbers and callers (./catalog.ts) are needed only where the deployment offers the simulated line.
 */
import { ALL_CAPABILITIES, type LineCapabilities } from '../line';

/** The simulated network does everything a line can. */
export const SIMULATED_CAPABILITIES: LineCapabilities = ALL_CAPABILITIES;

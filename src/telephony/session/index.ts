/** The call-session core the lines are built on (see core.ts) and its command rules (rules.ts). */
export * from './core';
export * from './rules';

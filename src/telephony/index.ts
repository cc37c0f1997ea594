export * from './line';
export * from './protocol';
export { lineBridge, noLine } from './bridge';

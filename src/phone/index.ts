/**
 * Phone numbers: normalising the handle Front's Call button gives us into E.164 (+ extension),
 * and formatting numbers for display. The only module that uses libphonenumber-js, and only
 * through a dynamic import: call `loadPhoneTools()` and use the tools it resolves to.
 *
 * @example
 *   const tools = await loadPhoneTools();
 *   const r = tools.normalizeHandle('415.555.0100 x42', settings.region); // region optional
 *   if (r.ok) dial(r.e164).then(() => r.extension && sendDtmf(r.extension));
 *   else showError(r.error);
 */
export { DEFAULT_REGION, type NormalizeResult, type PhoneTools, type RegionCode } from './types';
export { loadPhoneTools, phoneToolsIfLoaded } from './loader';
export { DEFAULT_DIAL_RULES, type DialRules, type DialTarget, type ExtensionRule } from './types';
export { createNumberReader, TOOLS_UNAVAILABLE, type NumberReader } from './reader';

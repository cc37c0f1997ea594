/**
 * Lazy loading of libphonenumber-js. The `import()` below is the only place the library is
 * referenced at runtime, so the bundler puts it (library code plus `min` metadata, ~30 KB gzip)
 * in a separate chunk fetched on first use, outside the initial bundle.
 */
import type { PhoneTools } from './types';
import type { PhoneLib } from './tools';

/** Something that loads libphonenumber-js; the real one is a dynamic import. */
export type PhoneLibImporter = () => Promise<PhoneLib>;

export interface PhoneToolsLoader {
  load(): Promise<PhoneTools>;
  ifLoaded(): PhoneTools | null;
}

/**
 * One shared load: concurrent and later calls get the same promise. A failed load (e.g. the
 * chunk could not be fetched) is forgotten, so the next call tries again.
 */
export function createPhoneToolsLoader(importer: PhoneLibImporter): PhoneToolsLoader {
  let pending: Promise<PhoneTools> | null = null;
  let loaded: PhoneTools | null = null;
  return {
    load() {
      // tools.ts comes with the library: neither weighs on the initial bundle.
      pending ??= Promise.all([importer(), import('./tools')]).then(
        ([lib, { createPhoneTools }]) => (loaded = createPhoneTools(lib)),
        (error: unknown) => {
          pending = null;
          throw error;
        },
      );
      return pending;
    },
    ifLoaded: () => loaded,
  };
}

// Destructuring right in `.then` lets the bundler tree-shake the lazy chunk down to what we use
// (measured with Vite 8: ~30 KB gzip, metadata included, versus ~44 KB when the whole namespace
// object is passed on). Keep this shape when adding a function: list it here and in PhoneLib.
const loader = createPhoneToolsLoader(() =>
  import('libphonenumber-js/min').then(
    ({ parsePhoneNumberFromString, validatePhoneNumberLength, isSupportedCountry }): PhoneLib => ({
      parsePhoneNumberFromString,
      validatePhoneNumberLength,
      isSupportedCountry,
    }),
  ),
);

/**
 * Loads libphonenumber-js (a separate chunk) and resolves to the phone tools. Memoised: every
 * call returns the same promise; if loading fails the promise rejects and the next call retries.
 * Call it early (e.g. when the plugin becomes idle) to have the tools ready for the first call.
 */
export function loadPhoneTools(): Promise<PhoneTools> {
  return loader.load();
}

/**
 * The phone tools if `loadPhoneTools()` has already resolved, else null. Synchronous, for
 * selectors/render code that wants pretty formatting when available and raw E.164 otherwise.
 */
export function phoneToolsIfLoaded(): PhoneTools | null {
  return loader.ifLoaded();
}

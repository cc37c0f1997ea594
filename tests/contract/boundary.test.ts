// @vitest-environment node
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Who may import whom across the plugin/server boundary: the contract imports only valibot (in
 * its schemas file) and itself; server/ imports nothing from src/, src/ nothing from server/.
 * Proved to fail: adding `import type { Direction } from '../src/machine/types'` to
 * contract/wire.ts, `import { END_REASONS } from '../../src/telephony/protocol'` to
 * server/api/schemas.ts, or `import { SummaryReportSchema } from '../../contract/schemas'` to
 * src/calllog/reports.ts each fails a test below (an `import type` of it passes: it is erased).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => join(root, folder, file));
}

/**
 * Every module specifier a file imports or re-exports (static and dynamic); with `values`, only
 * those that load the module at run time (`import type` / `export type` are erased).
 */
function imports(file: string, { values = false } = {}): string[] {
  const text = readFileSync(file, 'utf8');
  const statements = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s*['"]([^'"]+)['"]/g)]
    .filter((match) => !(values && match[1]))
    .map((match) => match[2]!);
  const bare = [...text.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]!);
  return [...statements, ...bare];
}

/** Imports of `file` that land in `folder` (relative specifiers only; bare ones are packages). */
function importsInto(file: string, folder: string): string[] {
  return imports(file).filter((spec) => spec.startsWith('.') && !relative(join(root, folder), resolve(dirname(file), spec)).startsWith('..'));
}

const name = (file: string) => relative(root, file);

describe('the contract boundary', () => {
  it('the contract imports only itself, and valibot only in its schemas', () => {
    const files = sources('contract');
    expect(files.map(name)).toContain('contract/index.ts');
    const outside = files.flatMap((file) =>
      imports(file)
        .filter((spec) => !(spec.startsWith('./') && !spec.includes('..')) && !(spec === 'valibot' && name(file) === 'contract/schemas.ts'))
        .map((spec) => `${name(file)} imports ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  it('server/ imports nothing from src/, and src/ nothing from server/', () => {
    const crossing = [
      ...sources('server').flatMap((file) => importsInto(file, 'src').map((spec) => `${name(file)} imports ${spec}`)),
      ...sources('src').flatMap((file) => importsInto(file, 'server').map((spec) => `${name(file)} imports ${spec}`)),
    ];
    expect(crossing).toEqual([]);
  });

  it('the plugin never loads the schemas (they stay out of its bundle)', () => {
    const loading = sources('src').flatMap((file) =>
      imports(file, { values: true })
        .filter((spec) => spec.startsWith('.') && resolve(dirname(file), spec) === join(root, 'contract/schemas'))
        .map((spec) => `${name(file)} imports ${spec}`),
    );
    expect(loading).toEqual([]);
  });
});

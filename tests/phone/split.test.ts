/**
 * Bundle guard: libphonenumber-js (~35 KB gzip with metadata) must stay out of the initial
 * bundle. Only src/phone may mention it, and there only as a dynamic `import()` or a type-only
 * import; a static value import anywhere would pull it into the entry chunk.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../..');
const srcDir = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?[jt]sx?$/.test(entry.name) ? [path] : [];
  });
}

const LIB = /libphonenumber-js/;

describe('libphonenumber-js stays in a lazy chunk', () => {
  const files = sourceFiles(srcDir).map((path) => ({ path: relative(root, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }));

  it('is mentioned only under src/phone', () => {
    const outside = files.filter((f) => !f.path.startsWith('src/phone/') && LIB.test(f.text)).map((f) => f.path);
    expect(outside).toEqual([]);
  });

  it('is imported statically only for types, and loaded with import() exactly once', () => {
    const phoneFiles = files.filter((f) => f.path.startsWith('src/phone/'));
    const staticValueImports: string[] = [];
    let dynamicImports = 0;
    for (const { path, text } of phoneFiles) {
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      for (const m of code.matchAll(/\b(import|export)\s+([^;'"]*?)\s*from\s*['"]libphonenumber-js[^'"]*['"]/g)) {
        if (!/^type\s/.test(m[2] ?? '')) staticValueImports.push(`${path}: ${m[0]}`);
      }
      for (const m of code.matchAll(/\bimport\s*['"]libphonenumber-js|\brequire\s*\(\s*['"]libphonenumber-js/g)) {
        staticValueImports.push(`${path}: ${m[0]}`);
      }
      for (const m of code.matchAll(/(typeof\s+)?\bimport\s*\(\s*['"]libphonenumber-js[^'"]*['"]\s*\)/g)) {
        if (!m[1]) dynamicImports += 1; // `typeof import(...)` is a type, not a load
      }
    }
    expect(staticValueImports).toEqual([]);
    expect(dynamicImports).toBe(1);
  });
});

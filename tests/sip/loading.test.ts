import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { LineError } from '../../src/telephony/line';
import { createSipLine } from '../../src/telephony/sip';

const folder = join(__dirname, '../../src/telephony/sip');
const sources = readdirSync(folder)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ file, text: readFileSync(join(folder, file), 'utf8') }));
const staticImport = (text: string, what: string) => new RegExp(`^\\s*(import|export)[^;]*from\\s+['"]${what}['"]`, 'm').test(text);

describe('loading the SIP stack', () => {
  it('imports JsSIP in one module only', () => {
    expect(sources.filter(({ text }) => staticImport(text, 'jssip') || /import\(['"]jssip['"]\)/.test(text)).map(({ file }) => file)).toEqual(['jssip.ts']);
  });

  it('keeps JsSIP out of the public entry: index.ts reaches it only through import()', () => {
    const index = sources.find(({ file }) => file === 'index.ts')?.text ?? '';
    expect(staticImport(index, './jssip')).toBe(false);
    expect(staticImport(index, './sipLine')).toBe(false);
    expect(index).toMatch(/import\('\.\/jssip'\)/);
    // Nothing index.ts imports statically brings it in either.
    for (const [, path] of index.matchAll(/^import [^;]*from '\.\/([^']+)'/gm)) {
      const imported = sources.find(({ file }) => file === `${path}.ts`)?.text ?? '';
      expect({ path, jssip: staticImport(imported, 'jssip') || staticImport(imported, './jssip') }).toEqual({ path, jssip: false });
    }
  });

  it('refuses an invalid account before loading anything, naming fields but not the password', async () => {
    const error = await createSipLine({ websocketUrl: 'http://x', sipUri: 'nope', password: 'hunter2-secret' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LineError);
    expect((error as LineError).code).toBe('invalid_argument');
    expect((error as LineError).message).toContain('websocketUrl');
    expect((error as LineError).message).not.toContain('hunter2-secret');
  });

  it('refuses to start in a browser without WebRTC', async () => {
    vi.stubGlobal('RTCPeerConnection', undefined);
    const error = await createSipLine({ websocketUrl: 'wss://pbx.example.com', sipUri: 'sip:1001@pbx.example.com', password: 'pw' }).catch((e: unknown) => e);
    expect((error as LineError).code).toBe('unsupported');
    vi.unstubAllGlobals();
  });
});

import { describe, expect, it, vi } from 'vitest';
import { teammatesWithNumbers } from '../../src/front/teammateDirectory';

// A Front SDK listing teammates over two pages, with one entry Front's shape does not promise.
vi.mock('@frontapp/plugin-sdk', () => ({
  default: {
    contextUpdates: { subscribe: () => ({ unsubscribe() {} }) },
    listTeammates: async (token?: string) =>
      token === 'p2'
        ? { results: [{ id: 'tea_3', name: 'Tom Becker', email: 'tom@acme.example', username: 'tom' }], nextPageToken: undefined }
        : { results: [{ id: 'tea_2', name: 'Priya Shah', email: 'priya@acme.example', username: 'priya' }, { id: 7, name: null }], nextPageToken: 'p2' },
  },
}));

const { createFrontSdkHost } = await import('../../src/front/sdk/frontSdkHost');

const PRIYA = { id: 'tea_2', name: 'Priya Shah', email: 'priya@acme.example' };
const TOM = { id: 'tea_3', name: 'Tom Becker', email: 'tom@acme.example' };
const ADA = { id: 'tea_1', name: 'Ada Lovelace', email: 'ada@acme.example' };

describe('teammates a call can be transferred to', () => {
  it('the SDK adapter follows every page of listTeammates and leaves out what it cannot read', async () => {
    const host = createFrontSdkHost({ embedded: true, timeoutMs: 60_000 });
    expect(await host.listTeammates()).toEqual([PRIYA, TOM]);
  });

  it('are the teammates with a directory entry (email without case), sorted by name, with its number', () => {
    const directory = [
      { email: 'TOM@acme.example', number: '204' },
      { email: 'priya@acme.example', number: '+1 415 555 0142' },
      { email: 'priya@acme.example', number: '999' },
      { email: 'nobody@acme.example', number: '300' },
    ];
    expect(teammatesWithNumbers([TOM, ADA, PRIYA], directory)).toEqual([
      { ...PRIYA, number: '+1 415 555 0142' },
      { ...TOM, number: '204' },
    ]);
  });

  it('leave out the teammate signed in, and nobody without a directory', () => {
    expect(teammatesWithNumbers([TOM, PRIYA], [{ email: 'tom@acme.example', number: '204' }, { email: 'priya@acme.example', number: '205' }], 'tea_3')).toEqual([
      { ...PRIYA, number: '205' },
    ]);
    expect(teammatesWithNumbers([TOM, PRIYA], [])).toEqual([]);
  });
});

describe('the transfer form asking for teammates', () => {
  it('without a directory Front is not asked; with one, its teammates are joined, the signed-in one left out', async () => {
    const { transferTeammates } = await import('../../src/front/teammateDirectory');
    const host = { listTeammates: vi.fn(async () => [ADA, PRIYA, TOM]) };
    expect(await transferTeammates(host, Promise.resolve([]), () => 'tea_1')).toEqual([]);
    expect(host.listTeammates).not.toHaveBeenCalled();
    const directory = [{ email: 'ada@acme.example', number: '201' }, { email: 'tom@acme.example', number: '204' }];
    expect(await transferTeammates(host, Promise.resolve(directory), () => 'tea_1')).toEqual([{ ...TOM, number: '204' }]);
  });
});

describe("the local workspace's demo directory", () => {
  it('public/softphone.config.json is valid and names teammates the workspace lists (every entry someone)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { loadDeploymentConfig } = await import('../../src/app/deploymentConfig');
    const { TEAMMATE, OTHER_TEAMMATES } = await import('../../workspace/fixtures');
    const raw = JSON.parse(await readFile(`${process.cwd()}/public/softphone.config.json`, 'utf8')) as unknown;
    const { config, problem } = await loadDeploymentConfig(async () => ({ ok: true, status: 200, json: async () => raw }));
    expect(problem).toBeNull();
    const offered = teammatesWithNumbers([TEAMMATE, ...OTHER_TEAMMATES], config.directory, TEAMMATE.id);
    expect(offered.map((t) => t.name)).toEqual(['Priya Shah', 'Tom Becker']);
    expect(offered).toHaveLength(config.directory.length);
  });
});

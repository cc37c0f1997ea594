import type { FrontTeammate } from './host';

/** A directory entry as the deployment config gives it (src/app/deploymentConfig.ts). */
export interface DirectoryNumber {
  readonly email: string;
  readonly number: string;
}

/**
 * The teammates a call can be transferred to: Front's teammates whose email (compared without
 * case) has an entry in the deployment's directory, with that entry's number, sorted by name. The
 * teammate signed in (`self`) is left out: nobody transfers a call to themselves. Loaded with the
 * transfer form, off the first screen.
 */
export function teammatesWithNumbers(
  teammates: readonly FrontTeammate[],
  directory: readonly DirectoryNumber[],
  self: string | null = null,
): { id: string; name: string; email: string; number: string }[] {
  const numbers = new Map<string, string>();
  // The first entry for an email wins, as it reads in the file.
  for (const entry of directory) {
    const key = entry.email.toLowerCase();
    if (!numbers.has(key)) numbers.set(key, entry.number);
  }
  const seen = new Set<string>();
  const result: { id: string; name: string; email: string; number: string }[] = [];
  for (const teammate of teammates) {
    const number = numbers.get(teammate.email.toLowerCase());
    if (number === undefined || teammate.id === self || seen.has(teammate.id)) continue;
    seen.add(teammate.id);
    result.push({ id: teammate.id, name: teammate.name, email: teammate.email, number });
  }
  return result.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What the transfer form asks for (the composition root passes its host, config and session): no
 * directory, Front is not asked; else its teammates joined with the directory.
 */
export async function transferTeammates(
  host: { listTeammates(): Promise<FrontTeammate[]> },
  directory: Promise<readonly DirectoryNumber[]>,
  self: () => string | null,
): Promise<{ id: string; name: string; email: string; number: string }[]> {
  const entries = await directory;
  return entries.length === 0 ? [] : teammatesWithNumbers(await host.listTeammates(), entries, self());
}

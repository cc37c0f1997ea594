import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Workspace, WorkspaceState } from '../workspace';

export const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspaceInstance(): Workspace {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace needs a <WorkspaceContext.Provider>.');
  return workspace;
}

/** A slice of the workspace state; the selector must return a value held in the state (stable). */
export function useWorkspace<T>(select: (state: WorkspaceState) => T): T {
  const workspace = useWorkspaceInstance();
  return useSyncExternalStore(workspace.subscribe, () => select(workspace.getState()));
}

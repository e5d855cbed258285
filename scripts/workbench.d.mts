// Types of scripts/workbench.mjs for the TypeScript end-to-end suite.
import type { ChildProcess } from 'node:child_process';

export declare const projectRoot: string;
export declare function installWorkbench(options?: { verbose?: boolean }): string;
export declare function freePort(): Promise<number>;

export interface WorkbenchDirs {
  state: string;
  xdg: string;
  userData: string;
  extensions: string;
  config: string;
  log: string;
}
export declare function workbenchDirs(stateDir: string): WorkbenchDirs;
/** The workbench's user settings file in a state folder. */
export declare function userSettingsFile(stateDir: string): string;
export declare function writeUserSettings(stateDir: string, settings: Record<string, unknown>): void;
export declare const quietSettings: Record<string, unknown>;

export interface RunningWorkbench {
  port: number;
  process: ChildProcess;
  log: string;
  dirs: WorkbenchDirs;
  stop(): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
export declare function launchWorkbench(options: {
  entry: string;
  stateDir: string;
  workspace: string;
  port?: number;
  locale?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}): Promise<RunningWorkbench>;
export declare function workbenchUrl(port: number, workspace: string, extensionPath?: string): string;
export declare function tail(file: string, lines?: number): string;
export declare function installExtension(options: { entry: string; stateDir: string; vsix: string }): string;

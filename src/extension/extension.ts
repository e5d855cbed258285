// Entry point, kept small so that activation costs VS Code almost nothing (issue 16 item 5):
// activation events fire on any JSON file, in any workspace holding a model and, where VS Code's
// search for one times out, in any window (onStartupFinished), yet most such windows never train. This file stands in for the extension proper (backprop.ts, its own bundle
// dist/backprop.js with the engine, the inspector host, the explorers and the debugger) and loads
// it the first time something needs it: one of the contributed commands, a model file open in an
// editor (its diagnostics), an inspector VS Code restores, a `backprop` debug session, or the
// start-up settings.
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { Backprop } from './backprop';
import type { BackpropHost } from './host';
import { isModelDocument } from './modelFiles';
import { INSPECTOR_VIEW_TYPE } from './viewTypes';

/** What `vscode.extensions.getExtension(…).activate()` resolves to (the VS Code test suite uses it). */
export interface BackpropApi {
  /** The extension's host, loading the extension proper if it is not loaded yet. */
  readonly host: BackpropHost;
}

interface Contributions {
  commands?: Array<{ command: string }>;
  debuggers?: Array<{ type: string }>;
}

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Backprop Stepper', { log: true });
  context.subscriptions.push(log);
  const contributions = (context.extension.packageJSON.contributes ?? {}) as Contributions;

  let loaded: Backprop | undefined;
  // Until the extension proper is loaded each contributed command is a stand-in that loads it
  // (which disposes the stand-ins and registers the real commands) and runs the real one, and
  // opening a model file loads it for the file's diagnostics (its watcher checks every open document).
  const standIns: vscode.Disposable[] = [];
  const load = (): Backprop => {
    if (loaded) return loaded;
    for (const standIn of standIns.splice(0)) standIn.dispose();
    const loading = performance.now();
    const { startBackprop } = require(join(__dirname, 'backprop.js')) as typeof import('./backprop');
    loaded = startBackprop(context, log);
    // What loading the extension proper cost (bench/startup.ts reads it).
    log.info(`loaded in ${(performance.now() - loading).toFixed(1)} ms`);
    return loaded;
  };
  for (const { command } of contributions.commands ?? []) {
    standIns.push(vscode.commands.registerCommand(command, (...args: unknown[]) => {
      load();
      return vscode.commands.executeCommand(command, ...args);
    }));
  }
  standIns.push(vscode.workspace.onDidOpenTextDocument((document) => {
    if (isModelDocument(document)) load();
  }));
  context.subscriptions.push(
    { dispose: () => standIns.forEach((standIn) => standIn.dispose()) },
    // VS Code asks for these as it activates the extension for a restored inspector or a debug session.
    vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => load().reviveInspector(panel, state),
    }),
    ...(contributions.debuggers ?? []).flatMap(({ type }) => [
      vscode.debug.registerDebugConfigurationProvider(type, {
        resolveDebugConfiguration: (folder, config, token) => load().debugger.resolveDebugConfiguration(folder, config, token),
      }),
      vscode.debug.registerDebugAdapterDescriptorFactory(type, {
        createDebugAdapterDescriptor: (session, executable) => load().debugger.createDebugAdapterDescriptor(session, executable),
      }),
    ]),
  );
  if (vscode.workspace.textDocuments.some(isModelDocument) || startupWorkWanted()) {
    // Needed right away, but after activate() returns so that VS Code finishes activating first.
    setImmediate(() => {
      try {
        void load().openOnStartup();
      } catch (error) {
        log.error(`loading the extension failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    });
  }
  // What the activate call cost (bench/startup.ts reads it beside VS Code's own figure).
  log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return { get host() { return load().host; } };
}

/** Whether the settings ask for work when the window opens (see startup.ts). */
function startupWorkWanted(): boolean {
  const config = vscode.workspace.getConfiguration('backprop');
  return config.get<boolean>('openWalkthroughOnStartup', false) || config.get<string>('openInspectorOnStartup', '').trim() !== '';
}

export function deactivate(): void {
  // Everything is in context.subscriptions, which VS Code disposes.
}

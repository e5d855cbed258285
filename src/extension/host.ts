// The extension's composition root: the sessions per model document and the parts that act on
// them (inspector panels, commands, model-file diagnostics). Each part lives in its own module;
// this class owns their lifetimes and answers "which session?".
import * as vscode from 'vscode';
import type { InspectorCommand } from '../protocol/messages';
import { formatDiagnostic } from '../engine/model/format';
import { loadModelAsync } from '../engine/model';
import { exportTrace } from './exportCommand';
import type { InspectorPanel } from './inspectorPanel';
import { InspectorPanels } from './inspectorPanels';
import { l10n } from './l10n';
import { createModelFromTemplate, isModelDocument, pickExample } from './modelFiles';
import { documentText, loadOptionsFor } from './modelLocations';
import { ModelFileWatcher } from './modelWatcher';
import { promptGoToStep, promptRunUntil } from './prompts';
import { SessionCommands } from './sessionCommands';
import { SessionRegistry, TrainingSession } from './session';
import { SessionVisibility } from './statusBar';
import { TraceInspectors } from './traceInspectors';

export class BackpropHost implements vscode.Disposable {
  readonly registry = new SessionRegistry();
  private readonly commands = new SessionCommands(this.registry);
  private readonly panels: InspectorPanels;
  private readonly watcher: ModelFileWatcher;
  /** Whether a session's model is on screen, for the status-bar items. */
  readonly visibility: SessionVisibility;
  /** Inspectors of trace files (Open Trace), read-only. */
  readonly traces: TraceInspectors;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.traces = new TraceInspectors(context, log, { save: (state) => this.panels.saveState(state), forget: (uri) => this.panels.forgetState(uri) });
    this.panels = new InspectorPanels(context, {
      registry: this.registry,
      log,
      sessionFor: (uri) => this.sessionFor(uri),
      runCommand: (session, command) => this.run(session, command),
      goToStep: (session, step) => this.commands.goToStep(session, step),
      reviveTrace: (webviewPanel, uri, step) => this.traces.open(uri, { revived: webviewPanel, step }),
    });
    this.visibility = new SessionVisibility((uri) => this.panels.has(uri), this.panels.onDidChange);
    this.watcher = new ModelFileWatcher(context.extensionUri, this.registry, (uri) => this.panels.has(uri));
  }

  // ---- which session

  /** The session of a model document, loading it when needed; undefined (after saying why) when the file cannot train. */
  async sessionFor(uri: vscode.Uri): Promise<TrainingSession | undefined> {
    const key = uri.toString();
    const existing = this.registry.get(key);
    if (existing) {
      this.registry.setActive(key);
      return existing;
    }
    const text = await documentText(uri);
    const result = TrainingSession.fromLoaded(key, text, await loadModelAsync(text, loadOptionsFor(this.context.extensionUri, uri)));
    if (!result.ok) {
      const first = result.loaded.diagnostics.find((d) => d.severity === 'error');
      const reason = first ? formatDiagnostic(first) : l10n.t('the file cannot be trained');
      void vscode.window.showErrorMessage(l10n.t('Cannot open {0}: {1}', vscode.workspace.asRelativePath(uri), reason));
      return undefined;
    }
    return this.registry.add(result.session);
  }

  /** The session commands act on: the focused inspector's, else the active model editor's, else the last used. */
  async targetSession(): Promise<TrainingSession | undefined> {
    const focused = this.panels.focusedUri;
    if (focused) return this.registry.get(focused);
    const editor = vscode.window.activeTextEditor;
    if (editor && isModelDocument(editor.document)) return this.sessionFor(editor.document.uri);
    if (this.registry.active) return this.registry.active;
    void vscode.window.showInformationMessage(l10n.t('Open a *.backprop.json model or run "Backprop: Open Inspector" first.'));
    return undefined;
  }

  // ---- the palette's commands

  /**
   * Opens (or reveals) the inspector of `uri`, else of the active model editor, else of an example
   * the user picks; in `column` when given (a lesson's group), else beside the model editor.
   */
  async openInspector(uri?: vscode.Uri, column?: vscode.ViewColumn): Promise<InspectorPanel | undefined> {
    const editor = vscode.window.activeTextEditor;
    const target = uri ?? (editor && isModelDocument(editor.document) ? editor.document.uri : await pickExample(this.context.extensionUri));
    if (!target) return undefined;
    const session = await this.sessionFor(target);
    return session && this.panels.show(session, column);
  }

  /** Shows an inspector panel VS Code restored after a window reload. */
  reviveInspector(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    return this.panels.revive(panel, state);
  }

  /** Closes the inspector of `uri`, if it has one (the next lesson replaces the previous one's). */
  closeInspector(uri: vscode.Uri): void {
    this.panels.close(uri.toString());
  }

  run(session: TrainingSession, command: InspectorCommand): Promise<void> {
    return this.commands.run(session, command);
  }

  runPause(session: TrainingSession): Promise<void> {
    return this.commands.runPause(session);
  }

  async runUntilPrompt(session: TrainingSession): Promise<void> {
    const command = await promptRunUntil();
    if (command) await this.run(session, command);
  }

  async goToStepPrompt(session: TrainingSession): Promise<void> {
    const command = await promptGoToStep(session);
    if (command) await this.run(session, command);
  }

  exportTrace(session: TrainingSession): Promise<void> {
    return exportTrace(session);
  }

  async newModel(): Promise<void> {
    await createModelFromTemplate();
  }

  async openExample(): Promise<void> {
    const uri = await pickExample(this.context.extensionUri);
    if (!uri) return;
    await vscode.window.showTextDocument(uri, { preview: false });
    await this.openInspector(uri);
  }

  relocalize(): void {
    this.panels.relocalize();
    this.traces.relocalize();
  }

  dispose(): void {
    this.watcher.dispose();
    this.visibility.dispose();
    this.panels.dispose();
    this.traces.dispose();
    this.registry.dispose();
  }
}

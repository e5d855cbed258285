// The open inspector panels, one per session, and their state kept across window reloads: the
// host keeps its own copy of each panel's state (document and view) in the workspace state, so a
// panel comes back after a reload even when the webview saved nothing itself.
import * as vscode from 'vscode';
import type { InspectorCommand } from '../protocol/messages';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, type PanelServices, panelOptions } from './inspectorPanel';
import { isTraceFileName } from '../protocol/traceFile';
import { buildSnapshotMessages } from './inspectorMessages';
import { isModelDocument } from './modelFiles';
import { type PersistedPanelState, matchSavedState, persistedDocumentUri, restoreView } from './panelState';
import type { RunOutcome, SessionRegistry, TrainingSession } from './session';

const SAVED_PANELS_KEY = 'backprop.inspector.panels';

/** What the panels need from the rest of the host. */
export interface PanelHost {
  readonly registry: SessionRegistry;
  readonly log: vscode.LogOutputChannel;
  sessionFor(uri: vscode.Uri): Promise<TrainingSession | undefined>;
  runCommand(session: TrainingSession, command: InspectorCommand): Promise<void>;
  goToStep(session: TrainingSession, step: number): Promise<RunOutcome>;
  /** Shows a trace file again, at `step`, in a panel revived after a window reload (a trace is no model session). */
  reviveTrace(webviewPanel: vscode.WebviewPanel, uri: vscode.Uri, step: number | undefined): Promise<unknown>;
}

export class InspectorPanels implements vscode.Disposable {
  private readonly panels = new Map<string, InspectorPanel>();
  /** True while the window shuts down: panels closing then must keep their saved state. */
  private closing = false;
  /** Documents whose saved panel state a revived panel has taken in this window. */
  private readonly revived = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when an inspector opens or closes. */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly host: PanelHost,
  ) {}

  has(uri: string): boolean {
    return this.panels.has(uri);
  }

  /** The document URI of the focused inspector, if one is focused. */
  get focusedUri(): string | undefined {
    for (const [uri, panel] of this.panels) if (panel.panel.active) return uri;
    return undefined;
  }

  /**
   * Shows the session's inspector, creating it in `column` (default: beside the model editor when
   * one is active) when there is none.
   */
  show(session: TrainingSession, column?: vscode.ViewColumn): InspectorPanel {
    const existing = this.panels.get(session.uri);
    if (existing) {
      existing.reveal(column);
      return existing;
    }
    const editor = vscode.window.activeTextEditor;
    column ??= editor && isModelDocument(editor.document) ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const webviewPanel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, session.name, column, panelOptions(this.context.extensionUri));
    return this.attach(new InspectorPanel(webviewPanel, session, this.services()));
  }

  /** Closes the inspector of a document, if it has one. */
  close(uri: string): void {
    this.panels.get(uri)?.dispose();
  }

  relocalize(): void {
    for (const panel of this.panels.values()) panel.relocalize();
  }

  private services(): PanelServices<TrainingSession> {
    return {
      extensionUri: this.context.extensionUri,
      log: this.host.log,
      runCommand: (s, c) => this.host.runCommand(s, c),
      snapshot: buildSnapshotMessages,
      saveState: (state) => this.saveState(state),
    };
  }

  private savedStates(): PersistedPanelState[] {
    return this.context.workspaceState.get<PersistedPanelState[]>(SAVED_PANELS_KEY, []);
  }

  /** Keeps a panel's state for the next window (trace panels use it too). */
  saveState(state: PersistedPanelState): void {
    const others = this.savedStates().filter((s) => s.documentUri !== state.documentUri);
    void this.context.workspaceState.update(SAVED_PANELS_KEY, [...others, state]);
  }

  forgetState(documentUri: string): void {
    void this.context.workspaceState.update(SAVED_PANELS_KEY, this.savedStates().filter((s) => s.documentUri !== documentUri));
  }

  /** The saved state for a panel being revived (see matchSavedState). */
  private savedStateFor(webviewState: unknown): PersistedPanelState | undefined {
    for (const uri of this.panels.keys()) this.revived.add(uri);
    return matchSavedState(webviewState, this.savedStates(), this.revived);
  }

  private attach(panel: InspectorPanel): InspectorPanel {
    const uri = panel.session.uri;
    this.panels.set(uri, panel);
    panel.panel.onDidChangeViewState(() => {
      if (panel.panel.active) this.host.registry.setActive(uri);
    });
    panel.onDidDispose(() => {
      if (this.panels.get(uri) !== panel) return;
      this.panels.delete(uri);
      if (!this.closing) this.forgetState(uri);
      this.changed.fire();
    });
    this.saveState(panel.persistedState);
    this.changed.fire();
    return panel;
  }

  /** The inspector serializer's work (the extension's entry registers the serializer): shows a restored panel again. */
  async revive(webviewPanel: vscode.WebviewPanel, webviewState: unknown): Promise<void> {
    const state = this.savedStateFor(webviewState);
    const documentUri = persistedDocumentUri(state);
    if (documentUri && isTraceFileName(documentUri)) {
      const step = (state?.view as { step?: unknown } | undefined)?.step;
      await this.host.reviveTrace(webviewPanel, vscode.Uri.parse(documentUri), typeof step === 'number' && Number.isFinite(step) ? step : undefined);
      return;
    }
    const session = documentUri ? await this.host.sessionFor(vscode.Uri.parse(documentUri)).catch(() => undefined) : undefined;
    if (!session) {
      this.host.log.warn(`could not restore an inspector panel (saved state: ${JSON.stringify(state)?.slice(0, 200)})`);
      webviewPanel.dispose();
      return;
    }
    const restored = await restoreView(session, state, (step) => this.host.goToStep(session, step));
    if (!restored.ok) this.host.log.warn(`inspector for ${session.uri} restored at step 0: ${restored.reason}`);
    this.attach(new InspectorPanel(webviewPanel, session, this.services()));
  }

  dispose(): void {
    this.closing = true;
    for (const panel of this.panels.values()) panel.dispose();
    this.changed.dispose();
  }
}

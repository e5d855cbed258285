// "Backprop: Open Trace…": a trace file (JSON Lines or .bptrace, docs/trace-format.md) in an
// inspector panel of its own, read-only (TraceSession). One panel per file; the inspector's
// commands act on the focused trace panel.
import * as vscode from 'vscode';
import type { InspectorCommand } from '../protocol/messages';
import { TRACE_EXTENSIONS, type TraceContents, isTraceFileName, readTrace } from '../protocol/traceFile';
import { rankFileNames, rankTracesProblem } from './rankGradients';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, LIVE_INSPECTOR_VIEW_TYPE, panelOptions } from './inspectorPanel';
import { l10n } from './l10n';
import type { PersistedPanelState } from './panelState';
import { openingReport, runTraceCommand } from './traceCommands';
import { TraceSession, buildTraceSnapshot } from './traceSession';
import type { LiveRuntime } from './live/liveRuntime';
import { LiveTraceSession, whenInspectable } from './live/liveTraceSession';

/** Where panel states are kept across window reloads (InspectorPanels' store, shared with model panels). */
export interface PanelStateStore {
  save(state: PersistedPanelState): void;
  forget(documentUri: string): void;
}

export class TraceInspectors implements vscode.Disposable {
  private readonly panels = new Map<string, InspectorPanel<TraceSession>>();
  /** True while the window shuts down: panels closing then keep their saved state. */
  private closing = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly states: PanelStateStore,
  ) {}

  /** The trace session of the focused inspector, if a trace inspector has focus. */
  get focused(): TraceSession | undefined {
    for (const panel of this.panels.values()) if (panel.panel.active) return panel.session;
    return undefined;
  }

  /**
   * Opens `uri` (else the trace file in the active editor, else one the user picks) in a read-only
   * inspector; reveals it when already open. After a window reload `revived` is the panel VS Code
   * brings back, which then shows the file again at the recorded step at or before `step`.
   */
  async open(uri?: vscode.Uri, restore: { revived?: vscode.WebviewPanel; step?: number } = {}): Promise<InspectorPanel<TraceSession> | undefined> {
    const revived = restore.revived;
    const editor = vscode.window.activeTextEditor?.document.uri;
    const target = uri ?? (editor && isTraceFileName(editor.path) ? editor : undefined) ?? (await vscode.window.showOpenDialog({
      canSelectMany: false,
      title: l10n.t('Open Trace'),
      filters: { [l10n.t('Trace files')]: TRACE_EXTENSIONS.map((e) => e.slice(1)) },
    }))?.[0];
    if (!target) return undefined;
    const key = target.toString();
    const existing = this.panels.get(key);
    if (existing) {
      revived?.dispose();
      existing.reveal();
      return existing;
    }
    const name = target.path.slice(target.path.lastIndexOf('/') + 1);
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(target);
    } catch (error) {
      revived?.dispose();
      void vscode.window.showErrorMessage(l10n.t('Cannot read {0}: {1}', vscode.workspace.asRelativePath(target), (error as Error).message));
      return undefined;
    }
    const contents = readTrace(bytes, vscode.workspace.asRelativePath(target));
    const report = openingReport(contents);
    if (report.error) {
      revived?.dispose();
      void vscode.window.showErrorMessage(report.error);
      return undefined;
    }
    for (const warning of report.warnings) void vscode.window.showWarningMessage(warning);
    const session = new TraceSession(key, name, contents, await this.rankTraces(target, contents));
    if (restore.step !== undefined) session.goToStep(restore.step);
    const webviewPanel = revived ?? vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, name, vscode.ViewColumn.Active, panelOptions(this.context.extensionUri));
    const panel = new InspectorPanel(webviewPanel, session, {
      extensionUri: this.context.extensionUri,
      log: this.log,
      runCommand: (s, command) => this.run(s, command),
      saveState: (state) => this.states.save(state),
      snapshot: buildTraceSnapshot,
    });
    this.panels.set(key, panel);
    this.states.save(panel.persistedState);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
      if (!this.closing) this.states.forget(key);
      session.dispose();
    });
    return panel;
  }

  /**
   * A data-parallel trace's sibling files, one per rank (rankFileNames), to show the ranks side by
   * side; undefined, after saying why, when one cannot be read or does not fit.
   */
  private async rankTraces(target: vscode.Uri, contents: TraceContents): Promise<TraceContents[] | undefined> {
    const paths = rankFileNames(target.path, contents.header);
    if (!paths) return undefined;
    const names = paths.map((path) => vscode.workspace.asRelativePath(target.with({ path })));
    try {
      const traces = await Promise.all(paths.map(async (path, r) => (path === target.path ? contents : readTrace(await vscode.workspace.fs.readFile(target.with({ path })), names[r]))));
      const problem = traces.find((trace) => trace.problem)?.problem?.message ?? rankTracesProblem(traces, names);
      if (!problem) return traces;
      void vscode.window.showWarningMessage(l10n.t('The ranks are not shown side by side: {0}', problem));
    } catch (error) {
      void vscode.window.showWarningMessage(l10n.t('The ranks are not shown side by side: {0}', (error as Error).message));
    }
    return undefined;
  }

  /**
   * Shows a live PyTorch session (issue 14) in an inspector beside the script, opened at its first
   * stop after a completed step (the inspector's summary is read off one) and following every stop
   * after it; the panel keeps the recorded steps once the session ends. Focus stays in the editor
   * so F10/F11 keep going to the debugger.
   */
  openLive(runtime: LiveRuntime, program: string): void {
    const name = l10n.t('{0} (live)', program.slice(program.lastIndexOf('/') + 1));
    const key = `backprop-live:${program}#${Date.now()}`;
    whenInspectable(runtime, () => {
      const session = new LiveTraceSession(key, name, runtime);
      const webviewPanel = vscode.window.createWebviewPanel(LIVE_INSPECTOR_VIEW_TYPE, name, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, panelOptions(this.context.extensionUri));
      const panel = new InspectorPanel<TraceSession>(webviewPanel, session, {
        extensionUri: this.context.extensionUri,
        log: this.log,
        runCommand: (s, command) => this.run(s, command),
        saveState: () => undefined,
        snapshot: buildTraceSnapshot,
      });
      this.panels.set(key, panel);
      panel.onDidDispose(() => {
        if (this.panels.get(key) === panel) this.panels.delete(key);
        session.dispose();
      });
    });
  }

  async run(session: TraceSession, command: InspectorCommand): Promise<void> {
    const message = await runTraceCommand(session, command);
    if (message) void vscode.window.showInformationMessage(message);
  }

  relocalize(): void {
    for (const panel of this.panels.values()) panel.relocalize();
  }

  dispose(): void {
    this.closing = true;
    for (const panel of this.panels.values()) panel.dispose();
  }
}

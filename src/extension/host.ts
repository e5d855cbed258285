// The extension's wiring: sessions per model document, their inspector panels, the commands that
// drive them (from the palette and from the webview alike), diagnostics and the model-changed offer.
import * as vscode from 'vscode';
import type { InspectorCommand, RunUntil } from '../protocol/messages';
import { RUN_SPEED } from '../protocol/messages';
import { formatDiagnostic } from '../engine/model/format';
import { type LoadOptions, loadModel } from '../engine/model';
import { INSPECTOR_VIEW_TYPE, InspectorPanel, type PanelServices, panelOptions } from './inspectorPanel';
import { l10n } from './l10n';
import { createModelFromTemplate, dataReaders, isModelDocument, isModelUri, pickExample } from './modelFiles';
import { clearDiagnosticsWhenGone, toVscodeDiagnostics } from './modelDiagnostics';
import { type PersistedPanelState, matchSavedState, persistedDocumentUri, restoreView } from './panelState';
import { type RunControl, type RunOutcome, SessionRegistry, TrainingSession } from './session';
import { offerResetOnEdit } from './modelChangeOffer';
import { traceLines } from './traceExport';

const SAVED_PANELS_KEY = 'backprop.inspector.panels';

function settings() {
  const config = vscode.workspace.getConfiguration('backprop');
  return {
    stepsPerSecond: config.get<number>('run.stepsPerSecond', RUN_SPEED.default),
    maxSteps: config.get<number>('run.maxSteps', 100_000),
  };
}

export class BackpropHost implements vscode.Disposable {
  readonly registry = new SessionRegistry();
  private readonly panels = new Map<string, InspectorPanel>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('backprop');
  private readonly pendingChecks = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly offering = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** True while the window shuts down: panels closing then must keep their saved state. */
  private closing = false;
  /** Documents whose saved panel state a revived panel has taken in this window. */
  private readonly revived = new Set<string>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.diagnostics,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.checkSoon(e.document)),
      ...clearDiagnosticsWhenGone(this.diagnostics),
      vscode.window.registerWebviewPanelSerializer(INSPECTOR_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => this.revive(panel, state),
      }),
    );
    for (const document of vscode.workspace.textDocuments) this.check(document);
  }

  // ---- sessions

  private loadOptions(uri: vscode.Uri): LoadOptions {
    return dataReaders(uri, this.context.extensionUri);
  }

  private async textOf(uri: vscode.Uri): Promise<string> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  }

  /** The session of a model document, loading it when needed; undefined (after saying why) when the file cannot train. */
  async sessionFor(uri: vscode.Uri): Promise<TrainingSession | undefined> {
    const key = uri.toString();
    const existing = this.registry.get(key);
    if (existing) {
      this.registry.setActive(key);
      return existing;
    }
    const result = TrainingSession.load(key, await this.textOf(uri), this.loadOptions(uri));
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
    for (const [uri, panel] of this.panels) if (panel.panel.active) return this.registry.get(uri);
    const editor = vscode.window.activeTextEditor;
    if (editor && isModelDocument(editor.document)) return this.sessionFor(editor.document.uri);
    if (this.registry.active) return this.registry.active;
    void vscode.window.showInformationMessage(l10n.t('Open a *.backprop.json model or run "Backprop: Open Inspector" first.'));
    return undefined;
  }

  // ---- the inspector

  private panelServices(): PanelServices {
    return {
      extensionUri: this.context.extensionUri,
      log: this.log,
      runCommand: (s, c) => this.run(s, c),
      saveState: (state) => this.saveState(state),
    };
  }

  /**
   * The host keeps its own copy of each open inspector's state (document and view), so a panel
   * comes back after a reload even when the webview saved nothing itself.
   */
  private saveState(state: PersistedPanelState): void {
    const saved = this.context.workspaceState.get<PersistedPanelState[]>(SAVED_PANELS_KEY, []).filter((s) => s.documentUri !== state.documentUri);
    void this.context.workspaceState.update(SAVED_PANELS_KEY, [...saved, state]);
  }

  private forgetState(documentUri: string): void {
    const saved = this.context.workspaceState.get<PersistedPanelState[]>(SAVED_PANELS_KEY, []);
    void this.context.workspaceState.update(SAVED_PANELS_KEY, saved.filter((s) => s.documentUri !== documentUri));
  }

  /** The saved state for a panel being revived (see matchSavedState). */
  private savedStateFor(webviewState: unknown): PersistedPanelState | undefined {
    for (const uri of this.panels.keys()) this.revived.add(uri);
    return matchSavedState(webviewState, this.context.workspaceState.get<PersistedPanelState[]>(SAVED_PANELS_KEY, []), this.revived);
  }

  private attach(panel: InspectorPanel): InspectorPanel {
    const uri = panel.session.uri;
    this.panels.set(uri, panel);
    panel.panel.onDidChangeViewState(() => {
      if (panel.panel.active) this.registry.setActive(uri);
    });
    panel.onDidDispose(() => {
      if (this.panels.get(uri) !== panel) return;
      this.panels.delete(uri);
      if (!this.closing) this.forgetState(uri);
    });
    this.saveState(panel.persistedState);
    return panel;
  }

  async openInspector(uri?: vscode.Uri): Promise<InspectorPanel | undefined> {
    let target = uri;
    const editor = vscode.window.activeTextEditor;
    if (!target && editor && isModelDocument(editor.document)) target = editor.document.uri;
    if (!target) target = await pickExample(this.context.extensionUri);
    if (!target) return undefined;
    const session = await this.sessionFor(target);
    if (!session) return undefined;
    const existing = this.panels.get(session.uri);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const column = editor && isModelDocument(editor.document) ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    const webviewPanel = vscode.window.createWebviewPanel(INSPECTOR_VIEW_TYPE, session.name, column, panelOptions(this.context.extensionUri));
    return this.attach(new InspectorPanel(webviewPanel, session, this.panelServices()));
  }

  private async revive(webviewPanel: vscode.WebviewPanel, webviewState: unknown): Promise<void> {
    const state = this.savedStateFor(webviewState);
    const documentUri = persistedDocumentUri(state);
    const session = documentUri ? await this.sessionFor(vscode.Uri.parse(documentUri)).catch(() => undefined) : undefined;
    if (!session) {
      this.log.warn(`could not restore an inspector panel (saved state: ${JSON.stringify(state)?.slice(0, 200)})`);
      webviewPanel.dispose();
      return;
    }
    const restored = await restoreView(session, state, (step) => this.goToStep(session, step));
    if (!restored.ok) this.log.warn(`inspector for ${session.uri} restored at step 0: ${restored.reason}`);
    this.attach(new InspectorPanel(webviewPanel, session, this.panelServices()));
  }

  relocalize(): void {
    for (const panel of this.panels.values()) panel.relocalize();
  }

  // ---- commands

  /** Runs one inspector command on a session, with progress and error reporting; the palette and the webview share it. */
  async run(session: TrainingSession, command: InspectorCommand): Promise<void> {
    this.registry.setActive(session.uri);
    switch (command.name) {
      case 'step':
        return this.report(session, await session.step());
      case 'stepInto':
        return this.report(session, await session.stepInto());
      case 'stepBack':
        await session.stepBack();
        return;
      case 'reset':
        return session.reset();
      case 'goToStep': {
        const outcome = await this.goToStep(session, command.step);
        if (outcome.kind !== 'cancelled') this.announce(session, outcome);
        return;
      }
      case 'pause':
        return session.pause();
      case 'setSpeed':
        session.stepsPerSecond = command.stepsPerSecond;
        return;
      case 'run':
        return this.longRun(session, l10n.t('Training {0}', session.name), { stepsPerSecond: command.stepsPerSecond });
      case 'runEpoch':
        return this.longRun(session, l10n.t('Running epoch {0} of {1}', session.position.epoch, session.name), { fullSpeed: true, toEpochEnd: true });
      case 'runUntil':
        return this.longRun(session, l10n.t('Training {0} until {1}', session.name, describeUntil(command.until)), { fullSpeed: true, until: command.until });
    }
  }

  /** Goes to a step; one ahead trains forward at full speed under a cancellable progress notification. */
  private async goToStep(session: TrainingSession, step: number): Promise<RunOutcome> {
    await session.pause();
    const ahead = step - session.completedSteps;
    if (ahead <= 0) return session.goToStep(step);
    return this.withRunProgress(session, l10n.t('Going to step {0} of {1}', step, session.name), ahead, (control) => session.goToStep(step, control));
  }

  private report(session: TrainingSession, stopped: { message: string } | undefined): void {
    if (stopped) void vscode.window.showWarningMessage(l10n.t('{0}: {1}', session.name, stopped.message));
  }

  private async longRun(
    session: TrainingSession,
    title: string,
    options: { stepsPerSecond?: number; fullSpeed?: boolean; until?: RunUntil; toEpochEnd?: boolean },
  ): Promise<void> {
    if (session.running) return session.pause();
    const { maxSteps } = settings();
    const target = options.until?.kind === 'steps' ? options.until.value : options.toEpochEnd ? session.summary.dataset.batchesPerEpoch : undefined;
    const outcome = await this.withRunProgress(session, title, target, (control) => session.run({ ...options, ...control, maxSteps }));
    this.announce(session, outcome);
  }

  /** Runs `start` under a cancellable progress notification that counts steps (as a percentage of `target` when known). */
  private withRunProgress(session: TrainingSession, title: string, target: number | undefined, start: (control: RunControl) => Promise<RunOutcome>): Promise<RunOutcome> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        let reported = 0;
        return start({
          isCancellationRequested: () => token.isCancellationRequested,
          onStep: (done) => {
            if (target && done * 100 >= (reported + 1) * target) {
              const percent = Math.floor((done * 100) / target);
              progress.report({ increment: percent - reported, message: l10n.t('step {0}', session.position.step) });
              reported = percent;
            } else if (!target) progress.report({ message: l10n.t('step {0}', session.position.step) });
          },
        });
      }),
    );
  }

  private announce(session: TrainingSession, outcome: RunOutcome): void {
    const step = session.position.step;
    switch (outcome.kind) {
      case 'non-finite':
        void vscode.window.showWarningMessage(l10n.t('{0}: {1}', session.name, outcome.error.message));
        return;
      case 'limit':
        void vscode.window.showInformationMessage(l10n.t('Stopped after {0} steps (the backprop.run.maxSteps limit) at step {1}.', outcome.steps, step));
        return;
      case 'condition':
        if (outcome.reason.kind === 'loss-below') void vscode.window.showInformationMessage(l10n.t('Stopped at step {0}: the loss {1} is below the target.', step, outcome.reason.loss));
        else if (outcome.reason.kind === 'grad-norm-above') void vscode.window.showInformationMessage(l10n.t('Stopped at step {0}: the gradient norm {1} is above the target.', step, outcome.reason.gradNorm));
        return;
      default:
        return;
    }
  }

  async runUntilPrompt(session: TrainingSession): Promise<void> {
    type Kind = RunUntil['kind'];
    const kinds: Array<vscode.QuickPickItem & { until: Kind }> = [
      { until: 'lossBelow', label: l10n.t('Loss below…'), description: l10n.t('stop after a step whose batch loss J is below a value') },
      { until: 'gradNormAbove', label: l10n.t('Gradient norm above…'), description: l10n.t('stop after a step whose ‖∂J/∂θ‖₂ is above a value') },
      { until: 'steps', label: l10n.t('Number of steps…'), description: l10n.t('run this many more steps') },
      { until: 'nan', label: l10n.t('NaN or infinity'), description: l10n.t('run until a value stops being finite') },
    ];
    const picked = await vscode.window.showQuickPick(kinds, { title: l10n.t('Run until…'), placeHolder: l10n.t('Stop when') });
    if (!picked) return;
    if (picked.until === 'nan') return this.run(session, { name: 'runUntil', until: { kind: 'nan' } });
    const integer = picked.until === 'steps';
    const text = await vscode.window.showInputBox({
      title: picked.label,
      prompt: integer ? l10n.t('A whole number of steps, at least 1') : l10n.t('A number, e.g. 0.01'),
      validateInput: (value) => validateNumber(value, integer),
    });
    if (text === undefined) return;
    return this.run(session, { name: 'runUntil', until: { kind: picked.until, value: Number(text) } });
  }

  async goToStepPrompt(session: TrainingSession): Promise<void> {
    const text = await vscode.window.showInputBox({
      title: l10n.t('Go to step'),
      prompt: l10n.t('A step from 0 to {0} (later steps train forward)', session.latestStep),
      value: String(session.position.step),
      validateInput: (value) => validateNumber(value, true, 0),
    });
    if (text === undefined) return;
    return this.run(session, { name: 'goToStep', step: Number(text) });
  }

  async runPause(session: TrainingSession): Promise<void> {
    if (session.running) return session.pause();
    const speed = session.viewState?.speed ?? settings().stepsPerSecond;
    return this.run(session, { name: 'run', stepsPerSecond: speed });
  }

  async exportTrace(session: TrainingSession): Promise<void> {
    const steps = session.completedSteps;
    if (steps === 0) {
      void vscode.window.showInformationMessage(l10n.t('Nothing to export yet: take at least one step.'));
      return;
    }
    const base = session.uri.replace(/\.backprop\.json$/i, '').replace(/\.json$/i, '');
    const target = await vscode.window.showSaveDialog({
      title: l10n.t('Export {0} steps as JSON Lines', steps),
      defaultUri: vscode.Uri.parse(`${base}.trace.jsonl`),
      filters: { [l10n.t('JSON Lines')]: ['jsonl'] },
    });
    if (!target) return;
    const text = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: l10n.t('Exporting the trace of {0}', session.name) },
      async () => traceLines(session.model, session.engine.data, steps).join(''),
    );
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(l10n.t('Exported {0} steps to {1}.', steps, vscode.workspace.asRelativePath(target)));
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

  // ---- model files in the editor

  private checkSoon(document: vscode.TextDocument): void {
    if (!isModelDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.pendingChecks.get(key));
    this.pendingChecks.set(key, setTimeout(() => this.check(document), 300));
  }

  private check(document: vscode.TextDocument): void {
    if (!isModelDocument(document) || document.isClosed) return; // a check scheduled before it closed
    const key = document.uri.toString();
    this.pendingChecks.delete(key);
    const text = document.getText();
    const loaded = loadModel(text, this.loadOptions(document.uri));
    this.diagnostics.set(document.uri, toVscodeDiagnostics(loaded.diagnostics, text));
    const session = this.registry.get(key);
    if (loaded.data && session && this.panels.has(key) && text !== session.text) void this.offerReset(session, document);
  }

  /** The file under an open inspector changed: ask before throwing the session's steps away (one question at a time). */
  private async offerReset(session: TrainingSession, document: vscode.TextDocument): Promise<void> {
    if (this.offering.has(session.uri)) return;
    this.offering.add(session.uri);
    try {
      await offerResetOnEdit(session, () => document.getText(), this.loadOptions(document.uri), {
        ask: (message, ...choices) => vscode.window.showInformationMessage(message, ...choices),
        showError: (message) => void vscode.window.showErrorMessage(message),
      });
    } finally {
      this.offering.delete(session.uri);
    }
  }

  isModelUri(uri: vscode.Uri): boolean {
    return isModelUri(uri);
  }

  dispose(): void {
    this.closing = true;
    for (const timer of this.pendingChecks.values()) clearTimeout(timer);
    for (const panel of this.panels.values()) panel.dispose();
    for (const d of this.disposables) d.dispose();
    this.registry.dispose();
  }
}

export function describeUntil(until: RunUntil): string {
  switch (until.kind) {
    case 'lossBelow':
      return l10n.t('the loss is below {0}', until.value);
    case 'gradNormAbove':
      return l10n.t('the gradient norm is above {0}', until.value);
    case 'steps':
      return l10n.t('{0} more steps', until.value);
    case 'nan':
      return l10n.t('a value is NaN or infinite');
  }
}

export function validateNumber(value: string, integer: boolean, min = integer ? 1 : -Infinity): string | undefined {
  const trimmed = value.trim();
  const n = Number(trimmed);
  if (trimmed === '' || !Number.isFinite(n)) return l10n.t('Enter a number.');
  if (integer && !Number.isInteger(n)) return l10n.t('Enter a whole number.');
  if (n < min) return l10n.t('Enter a number of at least {0}.', min);
  return undefined;
}

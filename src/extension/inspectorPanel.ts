// The inspector webview panel of one training session: the HTML shell, the validated message
// routing, and snapshots posted only when the panel can show them. The session (shared with the
// debugger and the status bar) holds all state; this class only translates it into messages.
import * as vscode from 'vscode';
import { fontScale, onFontScaleChange } from './fontScale';
import type { CompareMessage, ExportRequestMessage, HostMessage, InspectorCommand, ThemeKind, ViewState } from '../protocol/messages';
import { toWire } from '../protocol/nonFinite';
import { WEBVIEW_STRINGS } from '../protocol/webviewStrings';
import { createNonce, inspectorHtml } from './inspectorHtml';
import { type InspectorActions, SnapshotPoster, routeWebviewMessage } from './inspectorRouter';
import { buildExplanationMessage, buildInitMessage, buildTensorMessage, HistoryCursor } from './inspectorMessages';
import { type PersistedPanelState, panelStateOf } from './panelState';
import type { InspectedSession, SnapshotBuilder } from './inspectedSession';
import type { TrainingSession } from './session';
import { l10n, translateAll, uiLanguage } from './l10n';
import { copyText, inspectorPictureUri, savePicture, viewTitle } from './pictureExport';

export { INSPECTOR_VIEW_TYPE, LIVE_INSPECTOR_VIEW_TYPE } from './viewTypes';
const SAVE_DELAY_MS = 500;

export interface PanelServices<S extends InspectedSession> {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Runs a command from the webview exactly as the palette command would (progress, errors). */
  runCommand(session: S, command: InspectorCommand): Promise<void>;
  /** The messages of the session's newest state (buildSnapshotMessages for a training session). */
  snapshot: SnapshotBuilder<S>;
  /** Keeps the panel's state on the host side too (see BackpropHost.saveState). */
  saveState(state: PersistedPanelState): void;
}

export function themeKind(kind: vscode.ColorThemeKind): ThemeKind {
  switch (kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'high-contrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'high-contrast-light';
    default:
      return 'dark';
  }
}

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class InspectorPanel<S extends InspectedSession = TrainingSession> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly poster: SnapshotPoster<HostMessage[]>;
  private readonly history = new HistoryCursor();
  private ready = false;
  private disposed = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDidDisposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly session: S,
    private readonly services: PanelServices<S>,
  ) {
    panel.webview.options = panelOptions(services.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    this.poster = new SnapshotPoster(
      () => (this.ready ? services.snapshot(session, this.history) : undefined),
      (messages) => this.postAll(messages),
      () => this.ready && panel.visible,
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.poster.shown();
      }),
      panel.onDidDispose(() => this.dispose()),
      session.onDidChange((change) => {
        if (change.kind === 'reload' || change.kind === 'reset') this.reload();
        else this.poster.invalidate();
        this.saveSoon();
      }),
      vscode.window.onDidChangeActiveColorTheme((theme) => {
        void this.post({ type: 'theme', theme: themeKind(theme.kind) });
      }),
      onFontScaleChange((scale) => {
        if (this.ready) void this.post({ type: 'fontScale', scale });
      }),
    );
    this.render();
  }

  /** The state the panel serializer stores, so a window reload comes back at the same step and selection. */
  get persistedState(): PersistedPanelState {
    return panelStateOf(this.session);
  }

  /** Saves the state soon after the session settles (a run saves about twice a second, not every step). */
  private saveSoon(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      if (!this.disposed) this.services.saveState(this.persistedState);
    }, SAVE_DELAY_MS);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column, false);
  }

  /** The language changed: a fresh page (new `lang`, strings re-sent in init). */
  relocalize(): void {
    this.render();
  }

  private render(): void {
    this.ready = false;
    this.history.restart();
    const webview = this.panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.services.extensionUri, ...path)).toString();
    this.panel.title = l10n.t('Inspector: {0}', this.session.name);
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'webview.js'),
      codiconUri: asset('dist', 'codicon.css'),
      styleUris: [asset('media', 'inspector.css')],
      lang: uiLanguage(),
      title: this.panel.title,
    });
  }

  private reload(): void {
    // A new model or a reset to step 0: the webview starts over from a new init (model summary,
    // validation context) and an empty history.
    this.history.restart();
    this.panel.title = l10n.t('Inspector: {0}', this.session.name);
    if (this.ready) void this.sendInit();
  }

  private async sendInit(): Promise<void> {
    const init = buildInitMessage(this.session, {
      strings: translateAll(WEBVIEW_STRINGS),
      locale: uiLanguage(),
      theme: themeKind(vscode.window.activeColorTheme.kind),
    });
    await this.post(init);
    await this.post({ type: 'fontScale', scale: fontScale() });
    this.poster.invalidate();
  }

  private receive(raw: unknown): Promise<boolean> {
    // A picture or text the host refuses to save is answered in the panel too: the user asked for it.
    const asked = raw !== null && typeof raw === 'object' && ['savePicture', 'copyText'].includes((raw as { type?: unknown }).type as string);
    this.history.hear(raw);
    return routeWebviewMessage(raw, this.session.validationContext, this.actions, (line) => {
      this.services.log.warn(line);
      if (asked) void this.postError(l10n.t('Nothing was saved: {0}', line), (raw as { type: string }).type);
    });
  }

  /** Compare Runs: the comparison shows in its own card of the inspector. */
  showComparison(message: CompareMessage): Thenable<boolean> {
    this.reveal();
    return this.post(message);
  }

  /** The Save Picture and Copy Chain Rule commands: the webview answers with savePicture or copyText. */
  requestExport(request: ExportRequestMessage['request']): Thenable<boolean> {
    this.reveal();
    return this.post({ type: 'exportRequest', request });
  }

  private readonly actions: InspectorActions = {
    ready: async () => {
      this.ready = true;
      this.history.restart();
      await this.sendInit();
    },
    command: (command) => this.services.runCommand(this.session, command),
    select: (message) => {
      // A select without a sample (a click on a layer or weight) keeps the sample shown.
      this.session.select({ layer: message.layer, parameter: message.parameter, sample: message.sample ?? this.session.selection.sample });
    },
    requestTensor: async (message) => {
      const answer = await buildTensorMessage(this.session, message);
      if (!answer) {
        await this.postError(l10n.t('Step {0} has no tensor {1}.', message.step, message.name), 'requestTensor');
        return;
      }
      await this.post(answer);
    },
    show: (message) => {
      // The views read something the records on screen do not carry: the step again, with it.
      this.history.show(message);
      this.poster.invalidate();
    },
    requestExplanation: async (message) => {
      let answer;
      try {
        answer = await buildExplanationMessage(this.session, message);
      } catch (error) {
        // A trace whose recorder could not know a field the chain rule needs (recordedChainProblem).
        await this.postError(l10n.t('The chain rule of step {0} cannot be shown: {1}', message.step, (error as Error).message), 'requestExplanation');
        return;
      }
      if (!answer) {
        await this.postError(l10n.t('Step {0} is not complete yet, so its chain rule is not known.', message.step), 'requestExplanation');
        return;
      }
      await this.post(answer);
    },
    viewState: (state: ViewState) => {
      const sampleChosen = this.history.sampleChosen(state.sample);
      this.session.viewState = state;
      this.services.saveState(this.persistedState);
      // The per-sample views' choice is also the sample whose prediction the Loss view shows.
      const sample = state.sample === 'mean' ? undefined : state.sample;
      if (sample !== this.session.selection.sample) this.session.select({ ...this.session.selection, sample });
      // A new choice is answered with the step (its prediction) even when the host had that sample
      // already: the page waits for a step that heard it (StepMessage.heard).
      else if (sampleChosen) this.poster.invalidate();
    },
    protocolError: (reason) => {
      this.services.log.warn(`the inspector webview dropped a host message: ${reason}`);
      // What the webview holds is no longer known (a step it dropped may have carried a new table):
      // the next snapshot carries all of it. (Not posted now: a webview that drops every message would loop.)
      this.history.restart();
    },
    savePicture: (message) => savePicture(message, inspectorPictureUri(this.session.uri, this.session.name, message.view, this.session.position.step, message.format), viewTitle(message.view)),
    copyText: (message) => copyText(message),
  };

  postError(message: string, where: string): Thenable<boolean> {
    return this.post({ type: 'error', message, where });
  }

  private post(message: HostMessage): Thenable<boolean> {
    if (this.disposed) return Promise.resolve(false);
    return this.panel.webview.postMessage(toWire(message));
  }

  private async postAll(messages: HostMessage[]): Promise<boolean> {
    let delivered = true;
    for (const message of messages) delivered = (await this.post(message)) && delivered;
    return delivered;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.saveTimer);
    this.poster.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
  }
}

// The explorer panel ("Backprop: Open Explorer"): one webview apart from the inspector, showing
// one explorer view at a time. Requests from the webview are validated, computed with the
// engine (explorerData.ts) and answered; errors the learner can fix go back as messages.
import * as vscode from 'vscode';
import { EXPLORER_STRINGS } from '../../webview/explorers/strings';
import { EXPLORER_TITLES, type ExplorerHostMessage, type ExplorerView } from '../../protocol/explorers';
import { toWire } from '../../protocol/nonFinite';
import { parseModelFile } from '../../engine/model/parse';
import { createNonce, inspectorHtml } from '../inspectorHtml';
import { panelOptions } from '../inspectorPanel';
import { fontScale, onFontScaleChange } from '../fontScale';
import { l10n, translateAll, uiLanguage } from '../l10n';
import { ExplorerInputError, computeExplorer, type LessonModels } from './explorerData';
import { validateExplorerMessage } from './validate';
import { explorerPictureUri, savePicture } from '../pictureExport';

export const EXPLORER_VIEW_TYPE = 'backprop.explorer';

/** The example files the surface, race and noise explorers compute from (one truth with the walkthrough). */
export const LESSON_MODEL_FILES: Readonly<Record<keyof LessonModels, string>> = {
  surface: '03-gradient-descent',
  race: '07-optimizer-race-surface',
  noise: '09-training-units',
};

export async function loadLessonModels(extensionUri: vscode.Uri): Promise<LessonModels> {
  const entries = await Promise.all(Object.entries(LESSON_MODEL_FILES).map(async ([key, name]) => {
    const uri = vscode.Uri.joinPath(extensionUri, 'examples', `${name}.backprop.json`);
    const parsed = parseModelFile(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    if (!parsed.model) throw new Error(`examples/${name}.backprop.json: ${parsed.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    return [key, parsed.model] as const;
  }));
  return Object.fromEntries(entries) as unknown as LessonModels;
}

export class ExplorerPanel implements vscode.Disposable {
  private static current: ExplorerPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /**
   * Loaded as the panel opens, while its page loads: the first parse compiles the model schema
   * (about a second), which, waited for at the first request, left a view blank for seconds.
   */
  private readonly models: Promise<LessonModels>;

  /** The explorer's group, while it is open (lesson examples open beside it). */
  static column(): vscode.ViewColumn | undefined {
    return ExplorerPanel.current?.panel.viewColumn;
  }

  /** Shows `view`, revealing the open explorer where it is or creating one in `column`. */
  static show(extensionUri: vscode.Uri, view: ExplorerView, column: vscode.ViewColumn = vscode.ViewColumn.Active): ExplorerPanel {
    if (ExplorerPanel.current) {
      ExplorerPanel.current.view = view;
      ExplorerPanel.current.panel.reveal();
      void ExplorerPanel.current.post({ type: 'show', view });
      return ExplorerPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(EXPLORER_VIEW_TYPE, l10n.t('Backprop Explorer'), column, panelOptions(extensionUri));
    ExplorerPanel.current = new ExplorerPanel(panel, extensionUri, view);
    return ExplorerPanel.current;
  }

  private constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private view: ExplorerView) {
    this.models = loadLessonModels(extensionUri);
    this.models.catch(() => undefined); // reported to the view that asks for them
    const webview = panel.webview;
    const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
    webview.html = inspectorHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'explorers.js'),
      styleUris: [asset('media', 'explorers.css')],
      lang: uiLanguage(),
      title: l10n.t('Backprop Explorer'),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      onFontScaleChange((scale) => void this.post({ type: 'fontScale', scale })),
    );
  }

  private post(message: ExplorerHostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(toWire(message));
  }

  private async receive(raw: unknown): Promise<void> {
    const checked = validateExplorerMessage(raw);
    if (!checked.ok) {
      console.warn(`Backprop explorer: ignored a message from the webview (${checked.reason})`);
      return;
    }
    const message = checked.message;
    if (message.type === 'ready') {
      await this.post({ type: 'init', view: this.view, strings: translateAll(EXPLORER_STRINGS), language: uiLanguage() });
      await this.post({ type: 'fontScale', scale: fontScale() });
      return;
    }
    if (message.type === 'savePicture') {
      await savePicture(message, explorerPictureUri(message.view, message.format), l10n.t(EXPLORER_TITLES[message.view]));
      return;
    }
    const request = message.request;
    try {
      const result = computeExplorer(request, await this.models);
      await this.post({ type: 'result', result });
    } catch (error) {
      const column = error instanceof ExplorerInputError ? error.column : undefined;
      const text = error instanceof Error ? error.message : String(error);
      await this.post({ type: 'error', view: request.view, message: text, column });
    }
  }

  dispose(): void {
    if (ExplorerPanel.current === this) ExplorerPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

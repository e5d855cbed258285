// The lessons: the explorer panel and the walkthrough's command to open a lesson's example.
import * as vscode from 'vscode';
import { isExplorerView, type ExplorerView } from '../../protocol/explorers';
import { l10n } from '../l10n';
import { ExplorerPanel } from './explorerPanel';
import { LESSON_EXAMPLES } from './lessonExamples';
import type { SessionRegistry, TrainingSession } from '../session';
import { BrokenDerivativeStatus, breakDerivative } from './breakDerivative';

export const LESSON_COMMANDS = {
  openExplorer: 'backprop.openExplorer',
  openLessonExample: 'backprop.openLessonExample',
  breakDerivative: 'backprop.breakDerivative',
} as const;

/** What the lessons need from the extension's host. */
export interface LessonHost {
  readonly registry: SessionRegistry;
  targetSession(): Promise<TrainingSession | undefined>;
  sessionFor(uri: vscode.Uri): Promise<TrainingSession | undefined>;
}

async function pickView(): Promise<ExplorerView | undefined> {
  const items: Array<vscode.QuickPickItem & { view: ExplorerView }> = [
    { label: l10n.t('Norms and distances'), view: 'norms' },
    { label: l10n.t('Information and entropy'), view: 'information' },
    { label: l10n.t('Activation functions'), view: 'activations' },
    { label: l10n.t('Expression graph (chain rule)'), view: 'expression' },
    { label: l10n.t('Loss surface and gradient descent'), view: 'surface' },
    { label: l10n.t('Optimizer race'), view: 'race' },
    { label: l10n.t('Gradient noise and batch size'), view: 'noise' },
  ];
  return (await vscode.window.showQuickPick(items, { placeHolder: l10n.t('Which explorer?') }))?.view;
}

/** Opens examples/<name>.backprop.json in the editor and the inspector; says so when there is no such lesson example. */
async function openLessonExample(extensionUri: vscode.Uri, name: unknown): Promise<vscode.Uri | undefined> {
  if (typeof name !== 'string' || !LESSON_EXAMPLES.includes(name)) {
    void vscode.window.showErrorMessage(l10n.t('There is no lesson example named "{0}".', String(name)));
    return undefined;
  }
  const uri = vscode.Uri.joinPath(extensionUri, 'examples', `${name}.backprop.json`);
  await vscode.window.showTextDocument(uri, { preview: false });
  await vscode.commands.executeCommand('backprop.openInspector', uri);
  return uri;
}

export function registerLessons(context: vscode.ExtensionContext, host: LessonHost): void {
  const status = new BrokenDerivativeStatus(host.registry, LESSON_COMMANDS.breakDerivative);
  const open = (name: unknown) => openLessonExample(context.extensionUri, name);
  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('backprop.language')) status.refreshLanguage();
    }),
    vscode.commands.registerCommand(LESSON_COMMANDS.openExplorer, async (view?: unknown) => {
      const chosen = isExplorerView(view) ? view : await pickView();
      if (chosen) ExplorerPanel.show(context.extensionUri, chosen);
    }),
    vscode.commands.registerCommand(LESSON_COMMANDS.openLessonExample, async (name?: unknown) => {
      await open(name);
    }),
    vscode.commands.registerCommand(LESSON_COMMANDS.breakDerivative, async (example?: unknown) => {
      try {
        await breakDerivative({ targetSession: () => host.targetSession(), sessionFor: (uri) => host.sessionFor(uri), openLessonExample: open }, example);
      } catch (error) {
        void vscode.window.showErrorMessage(l10n.t('Cannot break the derivative: {0}', error instanceof Error ? error.message : String(error)));
      }
    }),
  );
}

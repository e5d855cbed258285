// The lessons: the explorer panel and the walkthrough's command to open a lesson's example.
import * as vscode from 'vscode';
import { isExplorerView, type ExplorerView } from '../../protocol/explorers';
import { l10n } from '../l10n';
import { ExplorerPanel } from './explorerPanel';
import { LESSON_EXAMPLES } from './lessonExamples';

export const LESSON_COMMANDS = { openExplorer: 'backprop.openExplorer', openLessonExample: 'backprop.openLessonExample' } as const;

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

export function registerLessons(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(LESSON_COMMANDS.openExplorer, async (view?: unknown) => {
      const chosen = isExplorerView(view) ? view : await pickView();
      if (chosen) ExplorerPanel.show(context.extensionUri, chosen);
    }),
    vscode.commands.registerCommand(LESSON_COMMANDS.openLessonExample, async (name?: unknown) => {
      if (typeof name !== 'string' || !LESSON_EXAMPLES.includes(name)) {
        void vscode.window.showErrorMessage(l10n.t('There is no lesson example named "{0}".', String(name)));
        return;
      }
      const uri = vscode.Uri.joinPath(context.extensionUri, 'examples', `${name}.backprop.json`);
      await vscode.window.showTextDocument(uri, { preview: false });
      await vscode.commands.executeCommand('backprop.openInspector', uri);
    }),
  );
}

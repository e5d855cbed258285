// The lessons: the explorer panel and the walkthrough's command to open a lesson's example.
import * as vscode from 'vscode';
import { isExplorerView, type ExplorerView } from '../../protocol/explorers';
import { l10n } from '../l10n';
import { ExplorerPanel } from './explorerPanel';
import { LESSON_EXAMPLES } from './lessonExamples';
import type { SessionRegistry, TrainingSession } from '../session';
import { BrokenDerivativeStatus, breakDerivative } from './breakDerivative';
import { LessonLayout, type LessonInspectors } from './lessonLayout';
import { pickExample } from '../modelFiles';
import type { SessionVisibility } from '../statusBar';

export const LESSON_COMMANDS = {
  openExplorer: 'backprop.openExplorer',
  openLessonExample: 'backprop.openLessonExample',
  breakDerivative: 'backprop.breakDerivative',
} as const;

/** What the lessons need from the extension's host. */
export interface LessonHost extends LessonInspectors {
  readonly registry: SessionRegistry;
  readonly visibility: SessionVisibility;
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

/**
 * The lesson example to open: `name` when the walkthrough's link gives one, else the learner's
 * pick from the lessons' examples (the palette gives no argument); says so when there is no
 * such lesson example.
 */
async function lessonExampleUri(extensionUri: vscode.Uri, name: unknown): Promise<vscode.Uri | undefined> {
  if (name === undefined) {
    return pickExample(extensionUri, LESSON_EXAMPLES, { title: l10n.t('Open a lesson example'), placeHolder: l10n.t('Pick the lesson whose example to step through') });
  }
  if (typeof name !== 'string' || !LESSON_EXAMPLES.includes(name)) {
    void vscode.window.showErrorMessage(l10n.t('There is no lesson example named "{0}".', String(name)));
    return undefined;
  }
  return vscode.Uri.joinPath(extensionUri, 'examples', `${name}.backprop.json`);
}

export function registerLessons(context: vscode.ExtensionContext, host: LessonHost): void {
  const status = new BrokenDerivativeStatus(host.registry, host.visibility, LESSON_COMMANDS.breakDerivative);
  const layout = new LessonLayout(host);
  const open = async (name: unknown) => {
    const uri = await lessonExampleUri(context.extensionUri, name);
    if (uri) await layout.openExample(uri, ExplorerPanel.column());
    return uri;
  };
  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('backprop.language')) status.refreshLanguage();
    }),
    vscode.commands.registerCommand(LESSON_COMMANDS.openExplorer, async (view?: unknown) => {
      const chosen = isExplorerView(view) ? view : await pickView();
      if (chosen) ExplorerPanel.show(context.extensionUri, chosen, layout.column());
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

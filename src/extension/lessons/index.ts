// The lessons: the explorer panel and the walkthrough's command to open a lesson's example.
import * as vscode from 'vscode';
import { isExplorerView, type ExplorerView } from '../../protocol/explorers';
import { l10n } from '../l10n';
import { ExplorerPanel } from './explorerPanel';
import { LESSON_EXAMPLES, lessonNameOf, neighbourLesson } from './lessonExamples';
import type { SessionRegistry, TrainingSession } from '../session';
import { BrokenDerivativeStatus, breakDerivative } from './breakDerivative';
import { LessonLayout, type LessonInspectors } from './lessonLayout';
import { pickExample } from '../modelFiles';
import type { SessionVisibility } from '../statusBar';

export const LESSON_COMMANDS = {
  openExplorer: 'backprop.openExplorer',
  openLessonExample: 'backprop.openLessonExample',
  breakDerivative: 'backprop.breakDerivative',
  nextLesson: 'backprop.nextLesson',
  previousLesson: 'backprop.previousLesson',
  presentLesson: 'backprop.presentLesson',
} as const;

/** Context key: a lesson is open (shows Next/Previous Lesson on the lesson views' title bars). */
const LESSON_OPEN_CONTEXT = 'backprop.lessonOpen';

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

/**
 * The projector layout: everything in one editor group (the walkthrough and explorer become tabs
 * behind the lesson), the lesson's inspector in front, the side bars and the panel closed. The
 * teacher's font size is the zoom (Backprop: Zoom In); Ctrl+B and Ctrl+J bring the bars back.
 */
async function present(host: LessonHost, uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.joinAllGroups');
  await host.openInspector(uri, vscode.ViewColumn.One);
  for (const command of ['workbench.action.closeSidebar', 'workbench.action.closeAuxiliaryBar', 'workbench.action.closePanel']) {
    await vscode.commands.executeCommand(command);
  }
}

export function registerLessons(context: vscode.ExtensionContext, host: LessonHost): void {
  const status = new BrokenDerivativeStatus(host.registry, host.visibility, LESSON_COMMANDS.breakDerivative);
  const layout = new LessonLayout(host);
  const open = async (name: unknown) => {
    const uri = await lessonExampleUri(context.extensionUri, name);
    if (uri) {
      await layout.openExample(uri, ExplorerPanel.column());
      void vscode.commands.executeCommand('setContext', LESSON_OPEN_CONTEXT, true);
    }
    return uri;
  };
  /** The lesson on screen: the one the lessons last opened, else the model being used if it is a lesson's example. */
  const currentLesson = (): string | undefined => {
    const candidates = [layout.current?.toString(), host.registry.active?.uri, vscode.window.activeTextEditor?.document.uri.toString()];
    for (const uri of candidates) {
      const name = uri && lessonNameOf(uri);
      if (name) return name;
    }
    return undefined;
  };
  const step = async (direction: 1 | -1) => {
    const name = neighbourLesson(currentLesson(), direction);
    if (name) await open(name);
    else void vscode.window.showInformationMessage(direction > 0 ? l10n.t('This is the last lesson.') : l10n.t('This is the first lesson.'));
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
    vscode.commands.registerCommand(LESSON_COMMANDS.nextLesson, () => step(1)),
    vscode.commands.registerCommand(LESSON_COMMANDS.previousLesson, () => step(-1)),
    vscode.commands.registerCommand(LESSON_COMMANDS.presentLesson, async (name?: unknown) => {
      const lesson = name ?? currentLesson();
      const uri = await open(lesson);
      if (uri) await present(host, uri);
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

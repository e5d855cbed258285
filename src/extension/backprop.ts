// The extension proper, loaded by the thin entry (extension.ts) the first time something needs it:
// registers the Backprop commands, the status bar and the model-file diagnostics, and answers the
// inspector's serializer and the debugger the entry registered. Everything stateful lives in
// BackpropHost and the sessions.
import * as vscode from 'vscode';
import { registerFontScaleCommands } from './fontScale';
import { BackpropHost } from './host';
import { registerLessons } from './lessons';
import { type DebuggerHooks, registerDebugger } from './debug/activateDebugger';
import { registerLive } from './live/activateLive';
import { configureLanguage, l10n, readLanguageSetting } from './l10n';
import { SessionStatusBar } from './statusBar';
import { LiveStatusBar } from './live/liveStatusBar';
import { openInspectorOnStartup } from './startup';
import type { TrainingSession } from './session';
import type { InspectorCommand } from '../protocol/messages';
import { promptGoToStep, promptRunUntil } from './prompts';
import { exportPytorch } from './exportPytorchCommand';
import { pickChainRuleFormat, pickPicture } from './pictureExport';
import { compareRunsCommand } from './compareCommand';
import { useKernelIn } from '../engine/nodeKernel';

/** What the entry forwards to once the extension is loaded. */
export interface Backprop {
  readonly host: BackpropHost;
  /** The inspector serializer's work: shows a panel VS Code restores after a reload. */
  reviveInspector(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  readonly debugger: DebuggerHooks;
  /** The window's start-up work the settings ask for (see startup.ts). */
  openOnStartup(): Promise<void>;
}

/** Registers the commands the entry stood in for (it has disposed its stand-ins) and the rest. */
export function startBackprop(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Backprop {
  useKernelIn(__dirname);
  configureLanguage(readLanguageSetting(vscode.workspace.getConfiguration('backprop').get('language')));
  const host = new BackpropHost(context, log);
  const status = new SessionStatusBar(host.registry, host.visibility);
  const liveStatus = new LiveStatusBar();
  context.subscriptions.push(host, status, liveStatus);

  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await run(...args);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log.error(`${id} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
          void vscode.window.showErrorMessage(l10n.t('{0} failed: {1}', id, message));
        }
      }),
    );
  const onSession = (run: (session: TrainingSession) => unknown) => async () => {
    const session = await host.targetSession();
    if (session) await run(session);
  };
  // The inspector's own commands act on a focused trace inspector (Open Trace) when there is one.
  const inspectorCommand = (command: InspectorCommand) => async () => {
    const trace = host.traces.focused;
    if (trace) return host.traces.run(trace, command);
    const session = await host.targetSession();
    if (session) await host.run(session, command);
  };

  register('backprop.showEngineVersion', () => {
    const version = String(context.extension.packageJSON.version ?? '?');
    return vscode.window.showInformationMessage(l10n.t('Backprop Stepper {0}: float64 training engine, StepTrace format of DESIGN.md §3.', version));
  });
  register('backprop.openInspector', (uri) => host.openInspector(uri instanceof vscode.Uri ? uri : undefined));
  register('backprop.step', inspectorCommand({ name: 'step' }));
  register('backprop.stepInto', inspectorCommand({ name: 'stepInto' }));
  register('backprop.stepBack', inspectorCommand({ name: 'stepBack' }));
  register('backprop.runEpoch', inspectorCommand({ name: 'runEpoch' }));
  register('backprop.runPause', () => {
    const trace = host.traces.focused;
    return trace ? host.traces.run(trace, trace.running ? { name: 'pause' } : { name: 'run', stepsPerSecond: trace.viewState?.speed ?? trace.stepsPerSecond }) : onSession((s) => host.runPause(s))();
  });
  register('backprop.runUntil', async () => {
    const trace = host.traces.focused;
    if (!trace) return onSession((s) => host.runUntilPrompt(s))();
    const command = await promptRunUntil();
    if (command) await host.traces.run(trace, command);
  });
  register('backprop.reset', inspectorCommand({ name: 'reset' }));
  register('backprop.goToStep', async () => {
    const trace = host.traces.focused;
    if (!trace) return onSession((s) => host.goToStepPrompt(s))();
    const command = await promptGoToStep(trace);
    if (command) await host.traces.run(trace, command);
  });
  register('backprop.evaluateTestSet', onSession((s) => host.run(s, { name: 'evaluateTestSet' })));
  register('backprop.exportTrace', onSession((s) => host.exportTrace(s)));
  register('backprop.exportPytorch', onSession((s) => exportPytorch(s)));
  // These ask the inspector of the session commands act on (opening it if it is closed).
  const targetInspector = async () => {
    const session = await host.targetSession();
    const panel = session && (await host.openInspector(vscode.Uri.parse(session.uri)));
    return session && panel && { session, panel };
  };
  register('backprop.savePicture', async () => {
    const target = await targetInspector();
    const choice = target && (await pickPicture());
    if (target && choice) await target.panel.requestExport({ kind: 'picture', ...choice });
  });
  register('backprop.copyChainRule', async () => {
    const target = await targetInspector();
    const format = target && (await pickChainRuleFormat());
    if (target && format) await target.panel.requestExport({ kind: 'chainRule', format });
  });
  register('backprop.compareRuns', async () => {
    const target = await targetInspector();
    if (target) await compareRunsCommand(target.session, target.panel);
  });
  register('backprop.openTrace', (uri) => host.traces.open(uri instanceof vscode.Uri ? uri : undefined));
  register('backprop.newModel', () => host.newModel());
  register('backprop.openExample', () => host.openExample());
  registerLessons(context, host);
  registerFontScaleCommands(context);
  const debuggerHooks = registerDebugger(context, (uri) => host.sessionFor(uri), (runtime, program) => {
    host.traces.openLive(runtime, program);
    liveStatus.follow(runtime, program);
  });
  registerLive(context);

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration('backprop.language')) return;
      configureLanguage(readLanguageSetting(vscode.workspace.getConfiguration('backprop').get('language')));
      status.refreshLanguage();
      liveStatus.refreshLanguage();
      host.relocalize();
    }),
  );
  return {
    host,
    reviveInspector: (panel, state) => host.reviveInspector(panel, state),
    debugger: debuggerHooks,
    openOnStartup: () => openInspectorOnStartup(host, context.extension.id),
  };
}

// "Backprop: Compare Runs…" (issue 15 item 5): asks what to vary (optimizers or training units),
// which variants and how many epochs, runs them with the engine (compareMessage.ts) under a
// progress notification and shows the overlay in the inspector.
import * as vscode from 'vscode';
import { l10n } from './l10n';
import type { InspectorPanel } from './inspectorPanel';
import type { TrainingSession } from './session';
import { COMPARE_DEFAULTS, type CompareKind, buildCompareMessage, parseRuns } from './compareMessage';

export async function compareRunsCommand(session: TrainingSession, panel: InspectorPanel): Promise<void> {
  const kind = await vscode.window.showQuickPick([
    { label: l10n.t('Optimizers or learning rates'), detail: 'sgd, momentum, adam:learningRate=0.01, …', varies: 'optimizers' as CompareKind },
    { label: l10n.t('Training units (batch modes)'), detail: 'batch, mini-batch:8, stochastic', varies: 'units' as CompareKind },
  ], { title: l10n.t('Compare runs of {0}: what differs?', session.name) });
  if (!kind) return;
  const model = session.model;
  const problem = (text: string) => {
    try {
      parseRuns(kind.varies, text, model);
      return undefined;
    } catch (error) {
      return error instanceof RangeError ? error.message : String(error);
    }
  };
  const list = await vscode.window.showInputBox({
    title: l10n.t('Compare runs of {0}', session.name),
    prompt: l10n.t('Runs, separated by commas (as the command line\'s compare takes them)'),
    value: kind.varies === 'optimizers' ? COMPARE_DEFAULTS.optimizers : COMPARE_DEFAULTS.units,
    validateInput: problem,
  });
  if (list === undefined) return;
  const epochsText = await vscode.window.showInputBox({
    title: l10n.t('Compare runs of {0}', session.name),
    prompt: l10n.t('Epochs per run'),
    value: String(COMPARE_DEFAULTS.epochs),
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= COMPARE_DEFAULTS.maxEpochs ? undefined : l10n.t('A whole number from 1 to {0}', COMPARE_DEFAULTS.maxEpochs)),
  });
  if (epochsText === undefined) return;
  const runs = parseRuns(kind.varies, list, model);
  const message = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: l10n.t('Training {0} runs of {1}', runs.length, session.name) },
    async () => buildCompareMessage(model, session.engine.data, runs, Number(epochsText)),
  );
  await panel.showComparison(message);
}

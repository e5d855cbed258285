// Lesson 6's "break a derivative" exercise in VS Code: a command that puts a deliberately wrong
// f′ into the active session's backward pass (or restores the true one), a notification that
// says what changed, and a warning in the status bar for as long as a derivative is broken.
// The engine does the breaking (network.ts breakDerivative); this is only the front end.
import * as vscode from 'vscode';
import { BROKEN_DERIVATIVES, type BrokenDerivativeKind } from '../../engine/activations';
import type { BrokenDerivative } from '../../engine/network';
import type { SessionRegistry, TrainingSession } from '../session';
import { ActiveSessionStatusItem, type SessionVisibility } from '../statusBar';
import { l10n } from '../l10n';

/** What the command needs from the host and the lessons. */
export interface BreakDerivativeHost {
  targetSession(): Promise<TrainingSession | undefined>;
  sessionFor(uri: vscode.Uri): Promise<TrainingSession | undefined>;
  /** Opens a lesson example in the editor and the inspector; undefined when there is no such example. */
  openLessonExample(name: unknown): Promise<vscode.Uri | undefined>;
}

const KINDS = Object.keys(BROKEN_DERIVATIVES) as BrokenDerivativeKind[];

/** The layers (1-based, as the lecture counts them) whose derivative is broken, e.g. "1, 3". */
export function brokenLayers(session: TrainingSession): string {
  return session.engine.network.layers.flatMap((layer, l) => (layer.brokenDerivative ? [String(l + 1)] : [])).join(', ');
}

/**
 * The command: with a lesson example's name it opens that example in the inspector first (the
 * walkthrough's link), then offers the wrong derivatives that fit the session's network and,
 * while one is in use, the way back.
 */
export async function breakDerivative(host: BreakDerivativeHost, example?: unknown): Promise<void> {
  let session: TrainingSession | undefined;
  if (example === undefined) session = await host.targetSession();
  else {
    const uri = await host.openLessonExample(example);
    session = uri && (await host.sessionFor(uri));
  }
  if (!session) return;
  const current = session.brokenDerivative;
  type Item = vscode.QuickPickItem & { broken: BrokenDerivative | undefined };
  const items: Item[] = KINDS.filter((kind) => !session.brokenDerivativeProblem({ kind })).map((kind) => ({
    label: `$(bug) ${BROKEN_DERIVATIVES[kind].wrong}`,
    description: l10n.t('instead of {0}', BROKEN_DERIVATIVES[kind].right),
    detail: current?.kind === kind ? l10n.t('in use now') : undefined,
    broken: { kind },
  }));
  if (current) {
    items.unshift({ label: `$(check) ${l10n.t('Restore the true derivative')}`, description: BROKEN_DERIVATIVES[current.kind].right, broken: undefined });
  }
  if (items.length === 0) {
    const reason = session.brokenDerivativeProblem({ kind: KINDS[0] });
    void vscode.window.showInformationMessage(l10n.t('{0} has no derivative to break here: {1}', session.name, reason ?? ''));
    return;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: l10n.t('Break a derivative'),
    placeHolder: l10n.t('Backward will use the derivative you pick; the forward pass and the finite-difference check keep the true function. Training restarts at step 0.'),
  });
  if (!picked) return;
  await applyBrokenDerivative(session, picked.broken);
}

async function applyBrokenDerivative(session: TrainingSession, broken: BrokenDerivative | undefined): Promise<void> {
  await session.setBrokenDerivative(broken);
  if (!broken) {
    void vscode.window.showInformationMessage(l10n.t('{0}: the true derivatives are back; training restarted at step 0.', session.name));
    return;
  }
  const rule = BROKEN_DERIVATIVES[broken.kind];
  const restore = l10n.t('Restore the true derivative');
  const choice = await vscode.window.showWarningMessage(
    l10n.t('{0}: backward now uses {1} instead of {2} in layer {3}; training restarted at step 0. Take a step and open the chain rule of a weight at or below that layer: the finite-difference check disagrees.', session.name, rule.wrong, rule.right, brokenLayers(session)),
    restore,
  );
  if (choice === restore && session.brokenDerivative) await applyBrokenDerivative(session, undefined);
}

/** A warning in the status bar while the active session's backward uses a broken derivative; a click offers the way back. */
export class BrokenDerivativeStatus extends ActiveSessionStatusItem {
  /** `command` is the break-a-derivative command the item runs when clicked. */
  constructor(registry: SessionRegistry, visibility: SessionVisibility, command: string) {
    super(registry, visibility, 'backprop.brokenDerivative', 49, command);
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  protected itemName(): string {
    return l10n.t('Backprop Stepper: broken derivative');
  }

  protected render(session: TrainingSession): boolean {
    const broken = session.brokenDerivative;
    if (!broken) return false;
    const rule = BROKEN_DERIVATIVES[broken.kind];
    this.item.text = `$(warning) ${rule.wrong}`;
    this.item.tooltip = l10n.t('{0}: backward uses the wrong derivative {1} (true: {2}) in layer {3}, so its gradients are wrong. Click to restore the true derivative or pick another.', session.name, rule.wrong, rule.right, brokenLayers(session));
    return true;
  }
}

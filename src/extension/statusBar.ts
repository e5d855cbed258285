// The status-bar item: step, epoch and loss of the active session; a click opens its inspector.
import * as vscode from 'vscode';
import type { Disposable, SessionRegistry, TrainingSession } from './session';
import { l10n } from './l10n';
import { moverName } from './runProgress';

export function formatLoss(loss: number | undefined): string {
  return loss === undefined ? '—' : loss.toPrecision(4);
}

/**
 * A status-bar item that follows the active session: it re-renders on the session's changes and
 * when another session becomes active, and hides when `render` says there is nothing to show.
 */
export abstract class ActiveSessionStatusItem implements vscode.Disposable {
  protected readonly item: vscode.StatusBarItem;
  private watched: Disposable | undefined;
  private readonly activeWatch: Disposable;

  constructor(protected readonly registry: SessionRegistry, id: string, priority: number, command: string) {
    this.item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, priority);
    this.item.command = command;
    this.item.name = this.itemName();
    this.activeWatch = registry.onDidChangeActive((session) => this.watch(session));
    this.watch(registry.active);
  }

  /** The item's name in the status bar's context menu, in the current language. */
  protected abstract itemName(): string;
  /** Sets the item's text and tooltip for `session`; false hides it. */
  protected abstract render(session: TrainingSession): boolean;

  private watch(session: TrainingSession | undefined): void {
    this.watched?.dispose();
    this.watched = session?.onDidChange(() => this.update(session));
    this.update(session);
  }

  update(session: TrainingSession | undefined = this.registry.active): void {
    if (session && this.render(session)) this.item.show();
    else this.item.hide();
  }

  refreshLanguage(): void {
    this.item.name = this.itemName();
    this.update();
  }

  dispose(): void {
    this.watched?.dispose();
    this.activeWatch.dispose();
    this.item.dispose();
  }
}

/** Step, epoch and loss of the active session; a click opens its inspector. */
export class SessionStatusBar extends ActiveSessionStatusItem {
  constructor(registry: SessionRegistry) {
    super(registry, 'backprop.status', 50, 'backprop.openInspector');
  }

  protected itemName(): string {
    return l10n.t('Backprop Stepper training');
  }

  protected render(session: TrainingSession): boolean {
    const position = session.position;
    const loss = session.lossHistory(position.step, position.step).loss[0];
    const icon = session.running ? '$(sync~spin)' : session.stoppedBy ? '$(error)' : '$(pulse)';
    this.item.text = `${icon} ${l10n.t('Step {0} · epoch {1} · J {2}', position.step, position.epoch, formatLoss(loss))}`;
    const tooltip = l10n.t('{0}: step {1}, epoch {2}, loss {3}. Click to open the inspector.', session.name, position.step, position.epoch, formatLoss(loss));
    this.item.tooltip = session.mover ? `${tooltip}\n${l10n.t('Training in the {0}.', moverName(session.mover))}` : tooltip;
    return true;
  }
}

// The status-bar item: step, epoch and loss of the active session; a click opens its inspector.
import * as vscode from 'vscode';
import type { Disposable, SessionRegistry, TrainingSession } from './session';
import { l10n } from './l10n';

export function formatLoss(loss: number | undefined): string {
  return loss === undefined ? '—' : loss.toPrecision(4);
}

export class SessionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backprop.status', vscode.StatusBarAlignment.Left, 50);
  private watched: Disposable | undefined;
  private readonly activeWatch: Disposable;

  constructor(private readonly registry: SessionRegistry) {
    this.item.name = l10n.t('Backprop Stepper training');
    this.item.command = 'backprop.openInspector';
    this.activeWatch = registry.onDidChangeActive((session) => this.watch(session));
    this.watch(registry.active);
  }

  private watch(session: TrainingSession | undefined): void {
    this.watched?.dispose();
    this.watched = session?.onDidChange(() => this.update(session));
    this.update(session);
  }

  update(session: TrainingSession | undefined = this.registry.active): void {
    if (!session) {
      this.item.hide();
      return;
    }
    const position = session.position;
    const loss = session.lossHistory(position.step, position.step).loss[0];
    const icon = session.running ? '$(sync~spin)' : session.stoppedBy ? '$(error)' : '$(pulse)';
    this.item.text = `${icon} ${l10n.t('Step {0} · epoch {1} · J {2}', position.step, position.epoch, formatLoss(loss))}`;
    this.item.tooltip = l10n.t('{0}: step {1}, epoch {2}, loss {3}. Click to open the inspector.', session.name, position.step, position.epoch, formatLoss(loss));
    this.item.show();
  }

  refreshLanguage(): void {
    this.item.name = l10n.t('Backprop Stepper training');
    this.update();
  }

  dispose(): void {
    this.watched?.dispose();
    this.activeWatch.dispose();
    this.item.dispose();
  }
}

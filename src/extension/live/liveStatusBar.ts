// The status bar during a live PyTorch session (issue 14), as SessionStatusBar is for the built-in
// engine: the script's name, the step and the operation the process is paused at (or that it is
// running), the loss once known; hidden when the session ends.
import * as vscode from 'vscode';
import { l10n } from '../l10n';
import { formatLoss, shortModelName } from '../statusBar';
import type { LiveRuntime, LiveStop } from './liveRuntime';

/** The operation of a stop in the words the inspector's toolbar uses ("backward through layer 2"). */
export function liveOperationLabel(stop: Pick<LiveStop, 'phase' | 'layer'>): string {
  switch (stop.phase) {
    case 'forward':
      return l10n.t('forward through layer {0}', (stop.layer ?? 0) + 1);
    case 'backward':
      return l10n.t('backward through layer {0}', (stop.layer ?? 0) + 1);
    case 'loss':
      return l10n.t('loss');
    case 'update':
      return l10n.t('update');
  }
}

export class LiveStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backprop.liveStatus', vscode.StatusBarAlignment.Left, 50);
  private unsubscribe: (() => void) | undefined;
  /** Draws the item for the session's present state (again after a change of language). */
  private render: (() => void) | undefined;

  constructor() {
    this.item.name = l10n.t('Backprop Stepper live PyTorch session');
    this.item.command = 'workbench.view.debug';
  }

  /** Follows `runtime` (the newest live session) until it ends; `program` is the script's path. */
  follow(runtime: LiveRuntime, program: string): void {
    this.unsubscribe?.();
    const name = program.slice(program.lastIndexOf('/') + 1);
    this.unsubscribe = runtime.onEvent((event) => {
      if (event.type === 'stopped') this.render = () => this.showStop(name, runtime);
      else if (event.type === 'continued') this.render = () => this.showRunning(name);
      else if (event.type === 'ended') return this.end();
      else return;
      this.render();
    });
  }

  private showStop(name: string, runtime: LiveRuntime): void {
    const stop = runtime.current;
    if (!stop) return;
    const operation = liveOperationLabel(stop);
    const history = runtime.atLivePoint ? '' : ` ${l10n.t('(history)')}`;
    const ranks = runtime.worldSize > 1 ? ` · ${l10n.t('{0} ranks', runtime.worldSize)}` : '';
    this.item.text = `$(debug-pause) ${shortModelName(name)} · ${l10n.t('Step {0} · {1} · J {2}', stop.step, operation, formatLoss(stop.loss ?? undefined))}${history}${ranks}`;
    this.item.tooltip = l10n.t('{0} (live PyTorch): paused at step {1}, epoch {2}, {3}. Click to show Run and Debug.', name, stop.step, stop.epoch, operation);
    this.item.show();
  }

  private showRunning(name: string): void {
    this.item.text = `$(sync~spin) ${shortModelName(name)} · ${l10n.t('running')}`;
    this.item.tooltip = l10n.t('{0} (live PyTorch) is running to its next stop.', name);
    this.item.show();
  }

  private end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.render = undefined;
    this.item.hide();
  }

  refreshLanguage(): void {
    this.item.name = l10n.t('Backprop Stepper live PyTorch session');
    this.render?.();
  }

  dispose(): void {
    this.unsubscribe?.();
    this.item.dispose();
  }
}

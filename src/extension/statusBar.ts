// The status-bar item: the active session's model, step, epoch and loss while the model is on
// screen (an editor tab or its inspector); a click opens its inspector.
import * as vscode from 'vscode';
import type { Disposable, SessionRegistry, TrainingSession } from './session';
import { l10n } from './l10n';
import { moverName } from './runProgress';

export function formatLoss(loss: number | undefined): string {
  return loss === undefined ? '—' : loss.toPrecision(4);
}

/**
 * Whether a session is on screen: its model file open in an editor tab, or its inspector open.
 * A session with neither (its editors closed) has no business in the status bar.
 */
export class SessionVisibility implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly hasInspector: (uri: string) => boolean, inspectorsChanged: vscode.Event<void>) {
    this.subscriptions = [
      vscode.window.tabGroups.onDidChangeTabs(() => this.changed.fire()),
      inspectorsChanged(() => this.changed.fire()),
    ];
  }

  isShown(session: TrainingSession): boolean {
    if (this.hasInspector(session.uri)) return true;
    return vscode.window.tabGroups.all.some((group) => group.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === session.uri));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** A model's name short enough for the status bar (the tooltip has it whole). */
export function shortModelName(name: string, max = 24): string {
  return name.length <= max ? name : `${name.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A status-bar item that follows the active session: it re-renders on the session's changes and
 * when another session becomes active, and hides when the session is not on screen or `render`
 * says there is nothing to show.
 */
export abstract class ActiveSessionStatusItem implements vscode.Disposable {
  protected readonly item: vscode.StatusBarItem;
  private watched: Disposable | undefined;
  private readonly activeWatch: Disposable;
  private readonly visibilityWatch: Disposable;

  constructor(protected readonly registry: SessionRegistry, private readonly visibility: SessionVisibility, id: string, priority: number, command: string) {
    this.item = vscode.window.createStatusBarItem(id, vscode.StatusBarAlignment.Left, priority);
    this.item.command = command;
    this.item.name = this.itemName();
    this.activeWatch = registry.onDidChangeActive((session) => this.watch(session));
    this.visibilityWatch = visibility.onDidChange(() => this.update());
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
    if (session && this.visibility.isShown(session) && this.render(session)) this.item.show();
    else this.item.hide();
  }

  refreshLanguage(): void {
    this.item.name = this.itemName();
    this.update();
  }

  dispose(): void {
    this.watched?.dispose();
    this.activeWatch.dispose();
    this.visibilityWatch.dispose();
    this.item.dispose();
  }
}

/** The active session's model, step, epoch and loss; a click opens its inspector. */
export class SessionStatusBar extends ActiveSessionStatusItem {
  constructor(registry: SessionRegistry, visibility: SessionVisibility) {
    super(registry, visibility, 'backprop.status', 50, 'backprop.openInspector');
  }

  protected itemName(): string {
    return l10n.t('Backprop Stepper training');
  }

  protected render(session: TrainingSession): boolean {
    const position = session.position;
    const loss = session.lossHistory(position.step, position.step).loss[0];
    const icon = session.running ? '$(sync~spin)' : session.stoppedBy ? '$(error)' : '$(pulse)';
    this.item.text = `${icon} ${shortModelName(session.name)} · ${l10n.t('Step {0} · epoch {1} · J {2}', position.step, position.epoch, formatLoss(loss))}`;
    const tooltip = l10n.t('{0}: step {1}, epoch {2}, loss {3}. Click to open the inspector.', session.name, position.step, position.epoch, formatLoss(loss));
    this.item.tooltip = session.mover ? `${tooltip}\n${l10n.t('Training in the {0}.', moverName(session.mover))}` : tooltip;
    return true;
  }
}

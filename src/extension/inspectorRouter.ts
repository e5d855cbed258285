// The host's side of the webview conversation that needs no `vscode`: every incoming message is
// validated before anything acts on it (the webview is untrusted), and outgoing snapshots are
// coalesced so that at most one post is in flight and nothing is posted while the panel is hidden.
import type {
  CopyTextMessage, InspectorCommand, SavePictureMessage, SelectMessage, RequestExplanationMessage, RequestTensorMessage, ShowMessage, ViewState,
} from '../protocol/messages';
import { preview } from '../protocol/check';
import { validateWebviewMessage, type ValidationContext } from '../protocol/validate';

export interface InspectorActions {
  ready(): void | Promise<void>;
  command(command: InspectorCommand): void | Promise<void>;
  select(message: SelectMessage): void | Promise<void>;
  requestTensor(message: RequestTensorMessage): void | Promise<void>;
  show(message: ShowMessage): void | Promise<void>;
  requestExplanation(message: RequestExplanationMessage): void | Promise<void>;
  viewState(state: ViewState): void | Promise<void>;
  protocolError(reason: string): void;
  savePicture(message: SavePictureMessage): void | Promise<void>;
  copyText(message: CopyTextMessage): void | Promise<void>;
}

/**
 * Validates `raw` and hands the checked copy to the matching action. A malformed message is
 * logged and dropped; an action that throws is logged too. Nothing here throws back into the
 * webview's message event. Resolves to whether the message was accepted.
 */
export async function routeWebviewMessage(
  raw: unknown,
  context: ValidationContext | undefined,
  actions: InspectorActions,
  log: (line: string) => void,
): Promise<boolean> {
  if (!context) {
    // Before the model is loaded only `ready` makes sense, and it needs no model to check against.
    const isReady = raw !== null && typeof raw === 'object' && (raw as { type?: unknown }).type === 'ready' && Object.keys(raw).length === 1;
    if (!isReady) {
      log(`ignored a webview message before the model was loaded: ${preview(raw)}`);
      return false;
    }
    return run(() => actions.ready(), 'ready', log);
  }
  let validation;
  try {
    validation = validateWebviewMessage(raw, context);
  } catch (error) {
    log(`could not check a webview message (${errorText(error)}): ${preview(raw)}`);
    return false;
  }
  if (!validation.ok) {
    log(`rejected a webview message: ${validation.reason}: ${preview(raw)}`);
    return false;
  }
  const message = validation.message;
  switch (message.type) {
    case 'ready':
      return run(() => actions.ready(), 'ready', log);
    case 'command':
      return run(() => actions.command(message.command), `command ${message.command.name}`, log);
    case 'select':
      return run(() => actions.select(message), 'select', log);
    case 'requestTensor':
      return run(() => actions.requestTensor(message), 'requestTensor', log);
    case 'show':
      return run(() => actions.show(message), 'show', log);
    case 'requestExplanation':
      return run(() => actions.requestExplanation(message), 'requestExplanation', log);
    case 'viewState':
      return run(() => actions.viewState(message.state), 'viewState', log);
    case 'protocolError':
      return run(() => actions.protocolError(message.reason), 'protocolError', log);
    case 'savePicture':
      return run(() => actions.savePicture(message), 'savePicture', log);
    case 'copyText':
      return run(() => actions.copyText(message), 'copyText', log);
  }
}

async function run(action: () => void | Promise<void>, what: string, log: (line: string) => void): Promise<boolean> {
  try {
    await action();
  } catch (error) {
    log(`${what} failed: ${errorText(error)}`);
  }
  return true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Posts the latest snapshot, never a backlog: `invalidate` marks the view stale; the message is
 * built only when it can be posted (visible, nothing in flight), so a burst of steps while a post
 * is in flight ends in one post of the newest state.
 */
export class SnapshotPoster<M> {
  private stale = false;
  private inFlight = false;
  private disposed = false;

  constructor(
    private readonly build: () => M | undefined,
    private readonly post: (message: M) => PromiseLike<boolean>,
    private readonly isVisible: () => boolean,
  ) {}

  invalidate(): void {
    this.stale = true;
    this.flush();
  }

  /** The panel became visible again: whatever it missed while hidden is sent now. */
  shown(): void {
    this.invalidate();
  }

  dispose(): void {
    this.disposed = true;
  }

  private flush(): void {
    if (this.disposed || this.inFlight || !this.stale || !this.isVisible()) return;
    this.stale = false;
    const message = this.build();
    if (message === undefined) return;
    this.inFlight = true;
    const settle = () => {
      this.inFlight = false;
      this.flush();
    };
    Promise.resolve(this.post(message)).then(settle, settle);
  }
}

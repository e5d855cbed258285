// Host → webview messages built from a session. Building is lazy (only when a post can go out),
// so a run of many steps between two frames encodes one record, not all of them.
import type { EvaluationMessage, HostMessage, InitMessage, ThemeKind } from '../protocol/messages';
import { encodeRecord } from '../protocol/traceCodec';
import type { TrainingSession } from './session';

/**
 * What the webview already holds, so each step message sends only the loss history it lacks:
 * the webview keeps its history before `from` and replaces the rest (so stepping back truncates).
 */
export class HistoryCursor {
  private sentThrough = 0;
  private sentEpochs = -1;

  restart(): void {
    this.sentThrough = 0;
    this.sentEpochs = -1;
  }

  /** The first step whose loss to send, and records that everything through `through` is sent. */
  advance(through: number): number {
    const from = Math.min(this.sentThrough, through) + 1;
    this.sentThrough = through;
    return from;
  }

  /** True when the epoch list changed size since it was last sent. */
  epochsChanged(count: number): boolean {
    if (count === this.sentEpochs) return false;
    this.sentEpochs = count;
    return true;
  }
}

export function buildInitMessage(
  session: TrainingSession,
  context: { strings: Record<string, string>; locale: string; theme: ThemeKind },
): InitMessage {
  const init: InitMessage = { type: 'init', strings: context.strings, locale: context.locale, model: session.summary, theme: context.theme };
  if (session.viewState) init.viewState = session.viewState;
  return init;
}

/** The newest state of the session: the step on screen (and the epoch figures when they changed). */
export function buildSnapshotMessages(session: TrainingSession, cursor: HistoryCursor): HostMessage[] {
  const messages: HostMessage[] = [];
  const position = session.position;
  const record = session.record;
  if (record) {
    const through = position.next ? position.step - 1 : position.step;
    messages.push({
      type: 'step',
      position,
      record: encodeRecord(record),
      history: session.lossHistory(cursor.advance(through), through),
    });
  }
  const epochs = session.epochs;
  if (cursor.epochsChanged(epochs.length)) {
    const evaluation: EvaluationMessage = { type: 'evaluation', epochs };
    messages.push(evaluation);
  }
  return messages;
}

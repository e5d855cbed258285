// What an inspector panel shows and moves, whatever the steps come from (DESIGN.md §1): a
// TrainingSession on the engine, or a TraceSession over a recorded trace file (read-only). The
// panel reads these members only; how a snapshot is built is given to it with the session.
import type { StepRecord } from '../engine/types';
import type { ChainRuleExplanation } from '../engine/chainRule';
import type { HostMessage, ModelSummary, ParameterRef, StepOnScreen, ViewState } from '../protocol/messages';
import type { ValidationContext } from '../protocol/validate';
import type { HistoryCursor } from './inspectorMessages';
import type { Disposable, Selection, SessionChange } from './session';

export interface InspectedSession {
  readonly uri: string;
  readonly name: string;
  readonly summary: ModelSummary;
  readonly validationContext: ValidationContext;
  readonly position: StepOnScreen;
  readonly selection: Selection;
  /** The webview's last reported view state (restored after a window reload). */
  viewState: ViewState | undefined;
  stepsPerSecond: number;
  onDidChange(listener: (change: SessionChange) => void): Disposable;
  select(selection: Selection): void;
  /** Readies the record of `step` for recordAt and explain without holding the event loop. */
  prepareRecord(step: number): Promise<void>;
  recordAt(step: number): StepRecord | undefined;
  /** The chain rule of one parameter at `step`; undefined when the step is not complete. May throw with the reason it cannot be shown. */
  explain(step: number, parameter: ParameterRef): ChainRuleExplanation | undefined;
}

/** Builds the messages of the newest state of a session for its panel. */
export type SnapshotBuilder<S extends InspectedSession> = (session: S, cursor: HistoryCursor) => HostMessage[];

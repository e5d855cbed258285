// The debugger's runtime over a shared TrainingSession (DESIGN.md §2 grains): Step Into = one
// operation, Step Over = to the same operation of the next step, Step Out = to the end of the
// step (or of the epoch when already at a step's end), Continue = until a breakpoint, a filter,
// the `runUntil` condition or the end of training; Step Back and Reverse Continue restore earlier
// states exactly (the trainer's checkpoints and replay). It knows nothing of VS Code or of the
// debug protocol: it moves the session and reports why it stopped, and the debug session
// translates (the vscode-mock-debug split).
//
// The debugger stands *after* an operation: the top frame is the operation just done, so its
// results are in the Variables view (and a NaN stop shows the values that went bad).
import type { Phase } from '../../engine/types';
import { type NonFiniteError, describeValue } from '../../engine/nonFinite';
import type { Refusal, RunOutcome, TrainingSession } from '../session';
import { type Node, ExpressionError, evaluateCondition, hitConditionExpression, parse } from './expressions';
import { ModelLines, placeOfPhase, samePlace } from './modelLines';
import { FILTERS, type FilterId, type Finding, DEFAULT_EXPLODING_NORM, DEFAULT_SATURATION, Monitors } from './monitors';
import { TrainingState, describeOperation } from './trainingState';

export type Grain = 'operation' | 'step' | 'epoch';

export interface RuntimeOptions {
  /** What Step Over moves by: one operation, one step (default) or one epoch, each to the same operation. */
  grain?: Grain;
  /** Checked after every step; Continue stops when it is true (the expression language). */
  runUntil?: string;
  /** The end of training: no move goes past this many completed steps. */
  maxSteps?: number;
  /** The end of training in epochs (the smaller of this and maxSteps wins). */
  epochs?: number;
}

export const DEFAULT_MAX_STEPS = 10_000;

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'function breakpoint' | 'exception' | 'pause' | 'goto' | 'end';

export interface Stop {
  reason: StopReason;
  /** Shown in the call stack and as the stop's tooltip. */
  description: string;
  /** For exceptions: the whole message. */
  text?: string;
  breakpointIds?: number[];
  /** For exceptions: which filter stopped. */
  filter?: FilterId;
}

export type RuntimeEvent =
  | { type: 'stopped'; stop: Stop }
  | { type: 'continued' }
  | { type: 'ended'; message: string }
  /** A move the debugger asked for was refused (another mover is moving the session): say so to the user. */
  | { type: 'refused'; message: string };

/** A breakpoint as the debugger keeps it: where it stops, and its parsed condition and hit count. */
interface Breakpoint {
  id: number;
  matches(phase: Phase): boolean;
  condition?: Node;
  hitCondition?: { tree: Node; shift: number };
  hits: number;
  kind: 'line' | 'function';
  label: string;
  /** Place, condition and hit count: what makes two requests the same breakpoint. */
  key: string;
}

export interface BreakpointResult {
  id: number;
  verified: boolean;
  line?: number;
  message?: string;
}

export interface LineBreakpointRequest {
  line: number;
  condition?: string;
  hitCondition?: string;
}

export interface FunctionBreakpointRequest {
  name: string;
  condition?: string;
  hitCondition?: string;
}

export class TrainingRuntime {
  readonly state: TrainingState;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private lineBreakpoints: Breakpoint[] = [];
  private functionBreakpoints: Breakpoint[] = [];
  private nextBreakpointId = 1;
  private readonly monitors = new Monitors();
  private stopOnNonFinite = true;
  private runUntil: Node | undefined;
  private readonly options: RuntimeOptions;
  /** True while the debugger moves the session, so the session's changes are not reported back as the inspector's. */
  private moving = false;
  private linesCache: { text: string; lines: ModelLines } | undefined;
  private readonly unsubscribe: () => void;
  /** The last stop, so a request for exception details can answer. */
  lastStop: Stop | undefined;

  constructor(
    readonly session: TrainingSession,
    options: RuntimeOptions = {},
  ) {
    this.options = options;
    this.state = new TrainingState(session);
    if (options.runUntil !== undefined) this.runUntil = parse(options.runUntil);
    const subscription = session.onDidChange((change) => this.followSession(change.kind));
    this.unsubscribe = () => subscription.dispose();
  }

  /** Checks the launch options before anything moves; a message naming the problem, or undefined. */
  static validateOptions(options: RuntimeOptions): string | undefined {
    if (options.runUntil !== undefined) {
      try {
        parse(options.runUntil);
      } catch (error) {
        return `"runUntil": ${(error as Error).message}`;
      }
    }
    for (const key of ['maxSteps', 'epochs'] as const) {
      const value = options[key];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) return `"${key}" must be a whole number of at least 1, got ${JSON.stringify(value)}`;
    }
    if (options.grain !== undefined && !['operation', 'step', 'epoch'].includes(options.grain)) {
      return `"grain" must be "operation", "step" or "epoch", got ${JSON.stringify(options.grain)}`;
    }
    return undefined;
  }

  onEvent(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RuntimeEvent): void {
    if (event.type === 'stopped') this.lastStop = event.stop;
    for (const listener of [...this.listeners]) listener(event);
  }

  get lines(): ModelLines {
    const text = this.session.text;
    if (this.linesCache?.text !== text) this.linesCache = { text, lines: new ModelLines(text) };
    return this.linesCache.lines;
  }

  /** Completed steps at which training ends. */
  get maxSteps(): number {
    const byEpochs = this.options.epochs !== undefined ? this.options.epochs * this.session.summary.dataset.batchesPerEpoch : Infinity;
    return Math.min(this.options.maxSteps ?? DEFAULT_MAX_STEPS, byEpochs);
  }

  dispose(): void {
    if (this.session.mover === 'debugger') void this.session.pause();
    this.unsubscribe();
    this.listeners.clear();
  }

  // ---- the inspector moved the shared session: tell the debugger UI

  private followSession(kind: string): void {
    if (this.moving) return;
    if (kind === 'selection') return;
    if (kind === 'running' && this.session.running) {
      this.emit({ type: 'continued' });
      return;
    }
    if (this.session.running) return; // a move of the inspector's run loop reports once, when it ends
    if (kind === 'reset' || kind === 'reload') this.forgetHistory();
    this.emit({ type: 'stopped', stop: { reason: 'step', description: `moved in the inspector to ${this.state.describePosition()}` } });
  }

  // ---- breakpoints

  setLineBreakpoints(requests: LineBreakpointRequest[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    const previous = this.lineBreakpoints;
    this.lineBreakpoints = [];
    for (const request of requests) {
      const id = this.nextBreakpointId++;
      const found = this.lines.placeAtLine(request.line);
      if (!found) {
        results.push({ id, verified: false, line: request.line, message: 'Not a place training stops at: put line breakpoints on a layer in "layers", on "loss" or on "optimizer".' });
        continue;
      }
      const label = found.place.kind === 'layer' ? `layer ${found.place.layer + 1}` : found.place.kind;
      const breakpoint = this.compile(id, 'line', label, (phase) => samePlace(placeOfPhase(phase), found.place), request, previous);
      if (typeof breakpoint === 'string') results.push({ id, verified: false, line: found.line, message: breakpoint });
      else {
        this.lineBreakpoints.push(breakpoint);
        results.push({ id, verified: true, line: found.line });
      }
    }
    return results;
  }

  setFunctionBreakpoints(requests: FunctionBreakpointRequest[]): BreakpointResult[] {
    const previous = this.functionBreakpoints;
    this.functionBreakpoints = [];
    return requests.map((request) => {
      const id = this.nextBreakpointId++;
      const matches = this.parseFunctionName(request.name.trim());
      if (typeof matches === 'string') return { id, verified: false, message: matches };
      const breakpoint = this.compile(id, 'function', request.name.trim(), matches, request, previous);
      if (typeof breakpoint === 'string') return { id, verified: false, message: breakpoint };
      this.functionBreakpoints.push(breakpoint);
      return { id, verified: true };
    });
  }

  /** `forward:2`, `backward:1` (1-based layers; without a number, every layer), `loss`, `update`. */
  private parseFunctionName(name: string): ((phase: Phase) => boolean) | string {
    const count = this.state.layerCount;
    if (name === 'loss' || name === 'update') return (phase) => phase.kind === name;
    const match = /^(forward|backward)(?:\s*:\s*(\S+))?$/.exec(name);
    if (!match) return `"${name}" is not an operation: write forward:N or backward:N (layers 1 to ${count}), loss or update`;
    const kind = match[1];
    if (match[2] === undefined) return (phase) => phase.kind === kind;
    const n = Number(match[2]);
    if (!Number.isInteger(n) || n < 1 || n > count) return `layer "${match[2]}" does not exist: layers are numbered 1 to ${count}`;
    return (phase) => (phase.kind === 'forward' || phase.kind === 'backward') && phase.kind === kind && phase.layer === n - 1;
  }

  /**
   * A breakpoint ready to check. VS Code sends every breakpoint again when any one changes, so one
   * that is unchanged (same place, condition and hit count) keeps its hits so far.
   */
  private compile(
    id: number, kind: Breakpoint['kind'], label: string, matches: (phase: Phase) => boolean,
    request: { condition?: string; hitCondition?: string }, previous: Breakpoint[],
  ): Breakpoint | string {
    const key = JSON.stringify([label, request.condition?.trim() ?? '', request.hitCondition?.trim() ?? '']);
    const hits = previous.find((b) => b.key === key)?.hits ?? 0;
    const breakpoint: Breakpoint = { id, kind, label, key, matches, hits };
    try {
      if (request.condition?.trim()) breakpoint.condition = parse(request.condition);
    } catch (error) {
      return `Condition: ${(error as Error).message}`;
    }
    if (request.hitCondition?.trim()) {
      const { expression, shift } = hitConditionExpression(request.hitCondition);
      try {
        breakpoint.hitCondition = { tree: parse(expression), shift };
      } catch (error) {
        return `Hit count: ${shiftColumn(error, shift).message}`;
      }
    }
    return breakpoint;
  }

  /** Turns the exception-style filters on (with their conditions) and the rest off. */
  setExceptionFilters(filters: { filterId: string; condition?: string }[]): BreakpointResult[] {
    const settings: Monitors['settings'] = {};
    this.stopOnNonFinite = false;
    const results = filters.map((f): BreakpointResult => {
      const id = this.nextBreakpointId++;
      const threshold = (fallback: number) => {
        if (!f.condition?.trim()) return fallback;
        const value = Number(f.condition.trim());
        if (!Number.isFinite(value) || value <= 0) throw new Error(`the condition is a positive number, e.g. ${fallback}; got "${f.condition}"`);
        return value;
      };
      try {
        switch (f.filterId) {
          case FILTERS.nonFinite:
            this.stopOnNonFinite = true;
            break;
          case FILTERS.explodingGradient:
            settings.explodingNorm = threshold(DEFAULT_EXPLODING_NORM);
            break;
          case FILTERS.saturated:
            settings.saturation = threshold(DEFAULT_SATURATION);
            break;
          case FILTERS.deadRelu:
            settings.deadRelu = true;
            break;
          default:
            return { id, verified: false, message: `unknown filter "${f.filterId}"` };
        }
        return { id, verified: true };
      } catch (error) {
        return { id, verified: false, message: (error as Error).message };
      }
    });
    this.monitors.settings = settings;
    return results;
  }

  // ---- moving forward

  /** Where the debugger starts: the session as it is (step 0 for a freshly opened model). */
  start(stopOnEntry: boolean): Promise<void> {
    if (stopOnEntry) {
      this.emit({ type: 'stopped', stop: { reason: 'entry', description: `at ${this.state.describePosition()}` } });
      return Promise.resolve();
    }
    return this.continue();
  }

  stepIn(): Promise<void> {
    const target = this.session.operationsDone + 1;
    return this.advance({ done: (done) => done >= target, breakpoints: false });
  }

  stepOver(): Promise<void> {
    const grain = this.options.grain ?? 'step';
    const ops = this.session.operationsPerStep;
    const distance = grain === 'operation' ? 1 : grain === 'step' ? ops : ops * this.session.summary.dataset.batchesPerEpoch;
    const target = this.session.operationsDone + distance;
    return this.advance({ done: (done) => done >= target, breakpoints: grain !== 'operation' });
  }

  /** To the end of the current step; at a step's end already, to the end of the epoch. */
  stepOut(): Promise<void> {
    const ops = this.session.operationsPerStep;
    const atStepEnd = this.session.operationsDone % ops === 0;
    return this.advance({
      done: (done) => {
        // At a step's end the screen shows that step: its batch is the epoch's last when the epoch ended.
        const shown = this.session.position;
        return done % ops === 0 && (!atStepEnd || shown.batchInEpoch === shown.batchesPerEpoch);
      },
      breakpoints: true,
    });
  }

  continue(): Promise<void> {
    return this.advance({ done: () => false, breakpoints: true });
  }

  /** Stops the session's run, the debugger's Continue or the inspector's Run alike, after its current operation. */
  pause(): void {
    if (this.session.running) void this.session.pause();
    else this.emit({ type: 'stopped', stop: { reason: 'pause', description: `paused at ${this.state.describePosition()}` } });
  }

  private atEnd(): boolean {
    return this.session.operationsDone >= this.maxSteps * this.session.operationsPerStep;
  }

  /**
   * Moves forward through the session's run loop, one operation at a time, until `move.done`
   * (given the operations done since step 0), a breakpoint, a filter, `runUntil`, the end of
   * training, NaN or a pause.
   */
  private async advance(move: { done: (operationsDone: number) => boolean; breakpoints: boolean }): Promise<void> {
    if (this.moving) return;
    let stop = this.stopBeforeMoving();
    if (!stop) {
      this.moving = true;
      try {
        const outcome = await this.session.advance({
          mover: 'debugger',
          fullSpeed: true,
          afterOperation: (phase) => {
            stop = this.stopAfter(phase, move);
            return stop !== undefined;
          },
        });
        stop ??= this.stopOf(outcome);
      } finally {
        this.moving = false;
      }
    }
    if (stop.reason === 'end' && !this.stopOnNonFinite && this.session.stoppedBy) {
      this.emit({ type: 'ended', message: stop.text ?? stop.description });
      return;
    }
    this.emit({ type: 'stopped', stop });
  }

  /** Why the debugger cannot move from here at all: training failed or ended. */
  private stopBeforeMoving(): Stop | undefined {
    const failure = this.session.stoppedBy;
    if (failure) return this.nonFiniteStop(failure);
    if (this.atEnd()) return this.endStop();
    return undefined;
  }

  private endStop(): Stop {
    return { reason: 'end', description: `end of training: step ${this.session.completedSteps} (maxSteps ${this.maxSteps}); step back or restart` };
  }

  /** What the operation just done stops on, if anything: a filter, a breakpoint, runUntil, the target, the end. */
  private stopAfter(phase: Phase, move: { done: (operationsDone: number) => boolean; breakpoints: boolean }): Stop | undefined {
    const finding = this.monitors.check(phase, this.state.record?.layers[layerOf(phase) ?? -1], { network: this.session.engine.network, data: this.session.engine.data });
    if (finding) return this.findingStop(finding);
    if (move.breakpoints) {
      const hit = this.breakpointHit(phase, true);
      if (hit) return hit;
    }
    if (phase.kind === 'update' && this.runUntil) {
      try {
        if (evaluateCondition(this.runUntil, this.state.scope())) {
          return { reason: 'breakpoint', description: `runUntil is true after step ${this.state.lastOperation().step}: ${this.options.runUntil}` };
        }
      } catch (error) {
        return { reason: 'exception', description: `runUntil cannot be evaluated: ${(error as Error).message}`, text: (error as Error).message };
      }
    }
    if (move.done(this.session.operationsDone)) return { reason: 'step', description: `at ${this.state.describePosition()}` };
    if (this.atEnd()) return this.endStop();
    return undefined;
  }

  /** The stop of a move that ended without a stop of the debugger's own. */
  private stopOf(outcome: RunOutcome): Stop {
    switch (outcome.kind) {
      case 'non-finite':
        return this.nonFiniteStop(outcome.error);
      case 'refused':
        return this.refusedStop(outcome);
      default:
        return { reason: 'pause', description: `paused at ${this.state.describePosition()}` };
    }
  }

  /** Tells the user (not just the call stack) that the other mover has the session, and stays where it is. */
  private refusedStop(refusal: Refusal): Stop {
    const message = `${this.session.name} is moving in the ${refusal.by}: pause it there (or press Pause here) before moving it from the debugger.`;
    this.emit({ type: 'refused', message });
    return { reason: 'pause', description: `not moved: ${message}` };
  }

  private nonFiniteStop(error: NonFiniteError): Stop {
    const d = error.detail;
    const where = [d.unit !== undefined ? `unit ${d.unit}` : '', d.input !== undefined ? `input ${d.input}` : '', d.row !== undefined ? `batch row ${d.row}` : '']
      .filter(Boolean)
      .join(', ');
    const what = d.quantity === 'optimizerState' ? `optimizer state ${d.state} of ${d.parameter ?? 'the optimizer'}` : d.quantity;
    const description = `${describeValue(d.value)} in ${what} of layer ${d.layer + 1}${where ? ` (${where})` : ''} at ${describeOperation(d.phase)} of step ${d.step}`;
    if (!this.stopOnNonFinite) return { reason: 'end', description, text: error.message };
    return { reason: 'exception', description, text: error.message, filter: FILTERS.nonFinite };
  }

  private findingStop(finding: Finding): Stop {
    return { reason: 'exception', description: finding.message, text: finding.message, filter: finding.filter };
  }

  /**
   * The first breakpoint whose place is `phase` and whose condition and hit count hold. With
   * `count`, hits are counted (moving forward); reverse continue looks without counting.
   */
  private breakpointHit(phase: Phase, count: boolean): Stop | undefined {
    const candidates = [...this.lineBreakpoints, ...this.functionBreakpoints].filter((b) => b.matches(phase));
    const scope = () => this.state.scope();
    for (const breakpoint of candidates) {
      try {
        if (breakpoint.condition && !evaluateCondition(breakpoint.condition, scope())) continue;
      } catch (error) {
        return this.breakpointStop(breakpoint, `condition error: ${(error as Error).message}`);
      }
      const hits = count ? ++breakpoint.hits : breakpoint.hits;
      if (breakpoint.hitCondition) {
        try {
          if (count && !evaluateCondition(breakpoint.hitCondition.tree, this.state.scope({ hits }))) continue;
        } catch (error) {
          return this.breakpointStop(breakpoint, `hit count error: ${shiftColumn(error, breakpoint.hitCondition.shift).message}`);
        }
      }
      return this.breakpointStop(breakpoint, `breakpoint on ${breakpoint.label} at ${this.state.describePosition()}`);
    }
    return undefined;
  }

  private breakpointStop(breakpoint: Breakpoint, description: string): Stop {
    return { reason: breakpoint.kind === 'function' ? 'function breakpoint' : 'breakpoint', description, breakpointIds: [breakpoint.id] };
  }

  // ---- moving back

  private forgetHistory(): void {
    this.monitors.forget();
    for (const b of [...this.lineBreakpoints, ...this.functionBreakpoints]) b.hits = 0;
  }

  private async backward(move: () => Promise<Stop | Refusal>): Promise<void> {
    if (this.moving) return;
    this.moving = true;
    let stop: Stop | Refusal;
    try {
      stop = await move();
      this.monitors.forget();
    } finally {
      this.moving = false;
    }
    this.emit({ type: 'stopped', stop: 'kind' in stop ? this.refusedStop(stop) : stop });
  }

  /** Back one operation, to exactly the state it had. */
  stepBack(): Promise<void> {
    return this.backward(async () => {
      const moved = await this.session.stepBackOperation('debugger');
      if (moved === false) return { reason: 'entry', description: 'at the start of training: nothing to step back to' };
      if (moved !== true) return moved;
      return { reason: 'step', description: `back at ${this.state.describePosition()}` };
    });
  }

  /**
   * Back to the latest earlier position where a breakpoint's place and condition hold (hit counts
   * are not consulted going backwards), or to the start. The session's trainer searches back one
   * checkpoint interval at a time from the newest, which gives the states exactly as they were.
   */
  reverseContinue(): Promise<void> {
    return this.backward(async () => {
      let stop: Stop | undefined;
      const found = await this.session.reverseTo('debugger', (phase) => {
        const hit = this.breakpointHit(phase, false);
        if (hit) stop = hit;
        return hit !== undefined;
      });
      if (found === false) return { reason: 'entry', description: 'reverse continue reached the start of training' };
      if (found !== true) return found;
      // Within the searched interval positions are asked oldest first, so the last hit is where it went.
      return stop!;
    });
  }

  /** Back to step 0 with the initial weights (the session's reset, shared with the inspector). */
  async restart(): Promise<void> {
    this.moving = true;
    let refusal: Refusal | undefined;
    try {
      refusal = await this.session.reset('debugger');
      if (!refusal) this.forgetHistory();
    } finally {
      this.moving = false;
    }
    this.emit({ type: 'stopped', stop: refusal ? this.refusedStop(refusal) : { reason: 'entry', description: 'restarted at step 0' } });
  }
}

function layerOf(phase: Phase): number | undefined {
  return phase.kind === 'forward' || phase.kind === 'backward' ? phase.layer : undefined;
}

/** An expression error from a rewritten hit count, with its column mapped back to the user's text. */
function shiftColumn(error: unknown, shift: number): Error {
  if (error instanceof ExpressionError) return new ExpressionError(error.reason, Math.max(1, error.column - shift));
  return error as Error;
}

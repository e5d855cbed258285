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
import { NonFiniteError } from '../../engine/nonFinite';
import type { TrainingSession } from '../session';
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
  | { type: 'ended'; message: string };

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

/** How long a Continue works before it yields, so Pause and the inspector stay responsive. */
const SLICE_MS = 15;

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
  private moving = false;
  private pauseRequested = false;
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

  private get trainer() {
    return this.session.engine;
  }

  get lines(): ModelLines {
    const text = this.session.text;
    if (this.linesCache?.text !== text) this.linesCache = { text, lines: new ModelLines(text) };
    return this.linesCache.lines;
  }

  /** Completed steps at which training ends. */
  get maxSteps(): number {
    const byEpochs = this.options.epochs !== undefined ? this.options.epochs * this.trainer.plan.batchesPerEpoch : Infinity;
    return Math.min(this.options.maxSteps ?? DEFAULT_MAX_STEPS, byEpochs);
  }

  dispose(): void {
    this.pauseRequested = true;
    this.unsubscribe();
    this.listeners.clear();
  }

  // ---- the inspector moved the shared session: tell the debugger UI

  private followSession(kind: string): void {
    if (this.moving) return;
    if (kind === 'selection') return;
    if (kind === 'running') {
      this.emit(this.session.running ? { type: 'continued' } : { type: 'stopped', stop: { reason: 'pause', description: `paused at ${this.state.describePosition()}` } });
      return;
    }
    if (this.session.running) return; // a run from the inspector reports once, when it ends
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
    const target = this.state.whereabouts().linear + 1;
    return this.advance({ done: (linear) => linear >= target, breakpoints: false });
  }

  stepOver(): Promise<void> {
    const grain = this.options.grain ?? 'step';
    const ops = this.trainer.opsPerStep;
    const distance = grain === 'operation' ? 1 : grain === 'step' ? ops : ops * this.trainer.plan.batchesPerEpoch;
    const target = this.state.whereabouts().linear + distance;
    return this.advance({ done: (linear) => linear >= target, breakpoints: grain !== 'operation' });
  }

  /** To the end of the current step; at a step's end already, to the end of the epoch. */
  stepOut(): Promise<void> {
    const atStepEnd = this.trainer.position.opIndex === 0;
    return this.advance({
      done: () => {
        const p = this.trainer.position;
        return p.opIndex === 0 && (!atStepEnd || p.batch === 1);
      },
      breakpoints: true,
    });
  }

  continue(): Promise<void> {
    return this.advance({ done: () => false, breakpoints: true });
  }

  /** Asks a Continue in progress to stop after its current operation. */
  pause(): void {
    if (this.moving) this.pauseRequested = true;
    else this.emit({ type: 'stopped', stop: { reason: 'pause', description: `paused at ${this.state.describePosition()}` } });
  }

  private atEnd(): boolean {
    const p = this.trainer.position;
    return p.opIndex === 0 && p.completedSteps >= this.maxSteps;
  }

  private async advance(move: { done: (linear: number) => boolean; breakpoints: boolean }): Promise<void> {
    if (this.moving) return;
    await this.session.pause(); // a run started from the inspector ends first
    this.moving = true;
    this.pauseRequested = false;
    let stop: Stop | undefined;
    try {
      let sliceStart = Date.now();
      while (!stop) {
        stop = this.advanceOne(move);
        if (stop) break;
        if (move.done(this.state.whereabouts().linear)) stop = { reason: 'step', description: `at ${this.state.describePosition()}` };
        else if (Date.now() - sliceStart > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = Date.now();
          if (this.pauseRequested) stop = { reason: 'pause', description: `paused at ${this.state.describePosition()}` };
        }
      }
    } finally {
      this.moving = false;
    }
    if (stop.reason === 'end' && !this.stopOnNonFinite && this.trainer.stoppedBy) {
      this.emit({ type: 'ended', message: stop.text ?? stop.description });
      return;
    }
    this.emit({ type: 'stopped', stop });
  }

  /** One operation and what it stops on, if anything. */
  private advanceOne(move: { breakpoints: boolean }): Stop | undefined {
    const failure = this.trainer.stoppedBy;
    if (failure) return this.nonFiniteStop(failure);
    if (this.atEnd()) {
      return { reason: 'end', description: `end of training: step ${this.trainer.position.completedSteps} (maxSteps ${this.maxSteps}); step back or restart` };
    }
    let phase: Phase;
    try {
      phase = this.trainer.stepOp();
    } catch (error) {
      if (error instanceof NonFiniteError) return this.nonFiniteStop(error);
      throw error;
    }
    const finding = this.monitors.check(phase, this.state.record?.layers[layerOf(phase) ?? -1], { network: this.trainer.network, data: this.trainer.data });
    if (finding) return this.findingStop(finding);
    if (move.breakpoints) {
      const hit = this.breakpointHit(phase, true);
      if (hit) return hit;
    }
    if (phase.kind === 'update' && this.runUntil) {
      try {
        if (evaluateCondition(this.runUntil, this.state.scope())) {
          return { reason: 'breakpoint', description: `runUntil is true after step ${this.state.whereabouts().step}: ${this.options.runUntil}` };
        }
      } catch (error) {
        return { reason: 'exception', description: `runUntil cannot be evaluated: ${(error as Error).message}`, text: (error as Error).message };
      }
    }
    return undefined;
  }

  private nonFiniteStop(error: NonFiniteError): Stop {
    const d = error.detail;
    const where = [d.unit !== undefined ? `unit ${d.unit}` : '', d.input !== undefined ? `input ${d.input}` : '', d.row !== undefined ? `batch row ${d.row}` : '']
      .filter(Boolean)
      .join(', ');
    const description = `${describeValue(d.value)} in ${d.quantity} of layer ${d.layer + 1}${where ? ` (${where})` : ''} at ${describeOperation(d.phase)} of step ${d.step}`;
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

  private async backward(move: () => Stop): Promise<void> {
    if (this.moving) return;
    await this.session.pause();
    this.moving = true;
    let stop: Stop;
    try {
      stop = move();
      this.monitors.forget();
    } finally {
      this.moving = false;
    }
    this.emit({ type: 'stopped', stop });
  }

  /** Back one operation, to exactly the state it had. */
  stepBack(): Promise<void> {
    return this.backward(() => {
      if (!this.trainer.stepBackOp()) return { reason: 'entry', description: 'at the start of training: nothing to step back to' };
      return { reason: 'step', description: `back at ${this.state.describePosition()}` };
    });
  }

  /**
   * Back to the latest earlier position where a breakpoint's place and condition hold (hit counts
   * are not consulted going backwards), or to the start. The trainer replays from step 0 to find
   * it, which gives the states exactly as they were.
   */
  reverseContinue(): Promise<void> {
    return this.backward(() => {
      const target = this.state.whereabouts().linear;
      const ops = this.trainer.opsPerStep;
      this.trainer.goTo(0, 0);
      let found: { linear: number; stop: Stop } | undefined;
      for (let linear = 1; linear < target; linear++) {
        const phase = this.trainer.stepOp();
        const hit = this.breakpointHit(phase, false);
        if (hit) found = { linear, stop: hit };
      }
      if (!found) {
        this.trainer.goTo(0, 0);
        return { reason: 'entry', description: 'reverse continue reached the start of training' };
      }
      this.trainer.goTo(Math.floor(found.linear / ops), found.linear % ops);
      return found.stop;
    });
  }

  /** Back to step 0 with the initial weights (the session's reset, shared with the inspector). */
  async restart(): Promise<void> {
    this.moving = true;
    try {
      await this.session.reset();
      this.forgetHistory();
    } finally {
      this.moving = false;
    }
    this.emit({ type: 'stopped', stop: { reason: 'entry', description: 'restarted at step 0' } });
  }
}

function layerOf(phase: Phase): number | undefined {
  return phase.kind === 'forward' || phase.kind === 'backward' ? phase.layer : undefined;
}

function describeValue(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** An expression error from a rewritten hit count, with its column mapped back to the user's text. */
function shiftColumn(error: unknown, shift: number): Error {
  if (error instanceof ExpressionError) return new ExpressionError(Math.max(1, error.column - shift), error.detail);
  return error as Error;
}

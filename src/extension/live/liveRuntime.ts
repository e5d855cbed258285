// The debugger's runtime over a live PyTorch process (issue 14): the same moves as TrainingRuntime
// (Step Into = the next operation boundary, Step Over = the same operation of the next step, Step
// Out = the step's update, Continue = to a breakpoint, the NaN/Infinity or exploding-gradient
// filter or the end) and the same events, so the debug session translates it alike. Stops are kept:
// Step Back moves through them read-only (PyTorch cannot be undone) and Continue resumes from the
// live point. All ranks of a data-parallel run are driven together: a stop is shown once every rank
// has paused at the same place. No `vscode` import.
import type { ActivationName, StepRecord } from '../../engine/types';
import { type Node, type Scope, type Tensor, type Value, evaluateCondition, parse } from '../debug/expressions';
import { DEFAULT_EXPLODING_NORM, DEFAULT_SATURATION, FILTERS, type Finding, Monitors } from '../debug/monitors';
import type { RuntimeEvent, Stop } from '../debug/trainingRuntime';
import type { TraceContents } from '../../protocol/traceFile';
import type { ParameterGradient, RankGradients } from '../../protocol/messages';
import { compareRanks } from '../rankGradients';
import type { Hello, LiveTensor, ModuleInfo, Paused, PausedLayer, RecorderMessage, StopAt } from './liveProtocol';

/** Where the process is (or was) stopped: every rank's pause at one place. */
export interface LiveStop {
  step: number;
  epoch: number;
  phase: Paused['phase'];
  layer: number | null;
  module: string | null;
  /** rank → its pause. */
  ranks: Paused[];
  /** rank → every layer field known so far in this step (forward, backward and update data merged). */
  known: Map<number, PausedLayer>[];
  loss: number | null;
}

export interface Transport {
  welcome(stopAt: StopAt, stopOnNonFinite: boolean): void;
  send(message: { type: 'continue'; stopAt: StopAt; stopOnNonFinite: boolean } | { type: 'pause' }): void;
  stop(): void;
}

interface LiveBreakpoint {
  id: number;
  module: string;
  condition?: Node;
  hits: number;
}

export type LiveEvent = RuntimeEvent | { type: 'output'; category: 'stdout' | 'stderr' | 'console' | 'important'; text: string };

type Move = 'into' | 'over' | 'out' | 'continue';

const NO_TRAINING_SPLIT = 'The dead-ReLU filter needs the training split: a dead unit has z ≤ 0 on every training sample, and the script passes the recorder only its batches. Give the recorder the training inputs: Recorder(model, optimizer, train_inputs=X_train).';

export class LiveRuntime {
  hellos: Hello[] = [];
  readonly stops: LiveStop[] = [];
  /**
   * Each rank's completed steps (the recorder's 'step' messages), in order, with its local
   * gradients in a data-parallel run: the same contents as one trace file per rank, growing as the
   * script runs. Rank 0's is what the inspector shows, all of them side by side.
   */
  traces: TraceContents[] = [];
  /** stops[index] is on screen; the last stop is the live point while the process is paused there. */
  private index = -1;
  private running = false;
  private move: Move = 'into';
  private breakpoints: LiveBreakpoint[] = [];
  private nextId = 1;
  private stopOnNonFinite = true;
  private explodingNorm: number | undefined;
  /** The saturated-units filter (batch-only, so it works live); its rising-edge memory. */
  private readonly monitors = new Monitors();
  /** Pauses of the place being assembled, by rank. */
  private arriving = new Map<number, Paused>();
  private assembling: Map<number, PausedLayer>[] = [];
  private assemblingStep = 0;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  lastStop: Stop | undefined;

  constructor(private readonly transport: Transport) {}

  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: LiveEvent): void {
    if (event.type === 'stopped') this.lastStop = event.stop;
    for (const listener of [...this.listeners]) listener(event);
  }

  /** Rank 0's completed steps. */
  get records(): StepRecord[] {
    return this.traces[0]?.records ?? [];
  }

  get worldSize(): number {
    return this.hellos.length;
  }

  get modules(): ModuleInfo[] {
    return this.hellos[0]?.modules ?? [];
  }

  get current(): LiveStop | undefined {
    return this.stops[this.index];
  }

  get atLivePoint(): boolean {
    return this.index === this.stops.length - 1;
  }

  // ---- the generated module view that breakpoints attach to: line 1 a header, line i+2 module i

  moduleViewText(): string {
    const header = `# ${this.hellos[0]?.modelType ?? 'model'}: the modules PyTorch runs (live, read-only). Set a breakpoint on a module's line.`;
    const lines = this.modules.map((m) => {
      const parameters = m.parameters.map((p) => `${p.name} ${p.shape.join('×')}`).join(', ');
      return `${m.name}  ${m.type}${parameters ? `  (${parameters})` : ''}`;
    });
    return [header, ...lines].join('\n') + '\n';
  }

  lineOfModule(name: string | null): number {
    const i = this.modules.findIndex((m) => m.name === name);
    return i < 0 ? 1 : i + 2;
  }

  setBreakpoints(requests: { line: number; condition?: string }[]): { id: number; verified: boolean; line: number; message?: string }[] {
    this.breakpoints = [];
    return requests.map((request) => {
      const id = this.nextId++;
      const module = this.modules[request.line - 2];
      if (!module) return { id, verified: false, line: request.line, message: 'Not a module line: set breakpoints on a line that names a module.' };
      let condition: Node | undefined;
      try {
        if (request.condition) condition = parse(request.condition);
      } catch (error) {
        return { id, verified: false, line: request.line, message: (error as Error).message };
      }
      this.breakpoints.push({ id, module: module.name, condition, hits: 0 });
      return { id, verified: true, line: request.line };
    });
  }

  setExceptionFilters(filters: { filterId: string; condition?: string }[]): { verified: boolean; message?: string }[] {
    this.stopOnNonFinite = filters.some((f) => f.filterId === FILTERS.nonFinite);
    this.explodingNorm = undefined;
    this.monitors.settings = {};
    const threshold = (f: { condition?: string }, fallback: number) => (f.condition ? Number(f.condition) : fallback);
    return filters.map((f) => {
      if (f.filterId === FILTERS.nonFinite) return { verified: true };
      if (f.filterId === FILTERS.deadRelu) {
        if (this.hellos.length > 0 && !this.hasTrainingSplit) return { verified: false, message: NO_TRAINING_SPLIT };
        this.monitors.settings.deadRelu = true;
        return { verified: true };
      }
      if (f.filterId === FILTERS.explodingGradient || f.filterId === FILTERS.saturated) {
        const value = threshold(f, f.filterId === FILTERS.saturated ? DEFAULT_SATURATION : DEFAULT_EXPLODING_NORM);
        if (!(value > 0)) return { verified: false, message: `The threshold must be a positive number, got ${JSON.stringify(f.condition)}` };
        if (f.filterId === FILTERS.saturated) this.monitors.settings.saturation = value;
        else this.explodingNorm = value;
        return { verified: true };
      }
      return { verified: false, message: `Unknown filter ${JSON.stringify(f.filterId)}.` };
    });
  }

  /** Every rank's recorder was given the training split (train_inputs): the dead-ReLU filter can work. */
  private get hasTrainingSplit(): boolean {
    return this.hellos.every((h) => h.trainSamples !== null);
  }

  // ---- messages from the process

  ready(hellos: Hello[]): void {
    this.hellos = hellos;
    this.traces = hellos.map(() => ({ records: [], omitted: [] }));
    if (this.monitors.settings.deadRelu && !this.hasTrainingSplit) {
      // The filter was chosen before the script said it has no training split: say once what to pass.
      this.monitors.settings.deadRelu = undefined;
      this.emit({ type: 'output', category: 'important', text: `${NO_TRAINING_SPLIT}\n` });
    }
    this.running = true;
    this.move = 'into';
    this.transport.welcome('all', this.stopOnNonFinite);
  }

  receive(rank: number, message: Exclude<RecorderMessage, Hello>): void {
    switch (message.type) {
      case 'paused':
        this.arriving.set(rank, message);
        if (this.arriving.size === this.worldSize) this.arrived();
        return;
      case 'step': {
        const trace = this.traces[message.rank ?? rank];
        if (!trace) return;
        if (message.localGradients) (trace.localGradients ??= [])[trace.records.length] = message.localGradients;
        trace.records.push(message.record);
        return;
      }
      case 'exception':
        // The traceback is on the script's stderr already (the Debug Console); the stop carries it too.
        this.emit({ type: 'stopped', stop: { reason: 'exception', description: `Exception: ${message.exceptionType}`, text: `${message.exceptionType}: ${message.message}\n\n${message.traceback}` } });
        return;
      case 'end':
        if (message.reason === 'protocolError') this.emit({ type: 'output', category: 'stderr', text: `The recorder ended the live session: ${message.message}\n` });
        return;
    }
  }

  /** Every rank paused: one stop, unless the place is a conditional breakpoint whose condition is false. */
  private arrived(): void {
    const ranks = [...this.arriving.keys()].sort((a, b) => a - b).map((r) => this.arriving.get(r)!);
    this.arriving.clear();
    const first = ranks[0];
    const apart = ranks.find((p) => p.step !== first.step || p.phase !== first.phase || p.layer !== first.layer);
    if (apart) {
      this.emit({ type: 'output', category: 'important', text: `The ranks paused at different places (step ${first.step} ${first.phase} and step ${apart.step} ${apart.phase}); stopping.` });
      this.transport.stop();
      return;
    }
    if (first.step !== this.assemblingStep) {
      this.assemblingStep = first.step;
      this.assembling = ranks.map(() => new Map());
    }
    ranks.forEach((pause, r) => merge(this.assembling[r], pause));
    const stop: LiveStop = {
      step: first.step, epoch: first.epoch, phase: first.phase, layer: first.layer, module: first.module, ranks,
      known: this.assembling.map((m) => new Map([...m].map(([k, v]) => [k, { ...v }]))),
      loss: first.phase === 'loss' ? first.loss ?? null : this.stops.at(-1)?.step === first.step ? this.stops.at(-1)!.loss : null,
    };
    this.stops.push(stop);
    this.index = this.stops.length - 1;
    this.running = false;
    const decision = this.decide(stop);
    if (!decision) return this.resume(this.move);
    this.emit({ type: 'stopped', stop: decision });
  }

  /** Why to stay at this stop, or undefined to go on at once. */
  private decide(stop: LiveStop): Stop | undefined {
    const where = describeStop(stop);
    const first = stop.ranks[0];
    if (first.reason === 'nonFinite') {
      const nf = first.nonFinite;
      const text = `${nf?.quantity ?? 'a value'}${nf?.layer != null ? ` of layer ${nf.layer + 1}` : ''} is NaN or ±Infinity at ${where}.`;
      return { reason: 'exception', description: 'NaN or Infinity', text, filter: FILTERS.nonFinite };
    }
    if (first.reason === 'pause') return { reason: 'pause', description: where };
    if (this.explodingNorm !== undefined && stop.phase === 'backward' && stop.layer !== null) {
      const norm = this.layerGradNorm(stop, stop.layer);
      if (norm > this.explodingNorm) {
        return { reason: 'exception', description: 'Exploding gradient', text: `‖∂J/∂W, ∂J/∂b‖₂ of layer ${stop.layer + 1} is ${norm} (above ${this.explodingNorm}) at ${where}.`, filter: FILTERS.explodingGradient };
      }
    }
    if (stop.phase === 'forward' && stop.layer !== null) {
      const found = this.saturatedAt(stop, stop.layer);
      if (found) return { reason: 'exception', description: 'Saturated units', text: `${found.message} (at ${where}).`, filter: FILTERS.saturated };
      const dead = this.deadAt(stop, stop.layer);
      if (dead) return { reason: 'exception', description: 'Dead ReLU units', text: `${dead.message} (at ${where}).`, filter: FILTERS.deadRelu };
    }
    const hit = this.breakpoints.filter((b) => b.module === stop.module || activationOf(stop) === b.module);
    const scope = this.scope(stop);
    const holding = hit.filter((b) => {
      if (!b.condition) return true;
      try {
        return evaluateCondition(b.condition, scope);
      } catch {
        // A condition that cannot be evaluated here (e.g. delta before the backward pass) does not hold.
        return false;
      }
    });
    holding.forEach((b) => b.hits++);
    if (holding.length > 0) return { reason: 'breakpoint', description: where, breakpointIds: holding.map((b) => b.id) };
    if (this.move === 'continue' || hit.length > 0) return undefined;
    return { reason: this.stops.length === 1 ? 'entry' : 'step', description: where };
  }

  // ---- moves

  private places(): { phase: 'forward' | 'backward'; module: string }[] {
    return this.breakpoints.flatMap((b) => {
      const module = this.denseOwner(b.module);
      return [{ phase: 'forward' as const, module }, { phase: 'backward' as const, module }];
    });
  }

  /** Pauses carry the Linear's name for a dense layer: a breakpoint on its activation module stops there. */
  private denseOwner(name: string): string {
    const i = this.modules.findIndex((m) => m.name === name);
    if (i > 0 && this.modules[i].role === 'activation' && this.modules[i - 1].role === 'dense') return this.modules[i - 1].name;
    return name;
  }

  private stopAtFor(move: Move): StopAt {
    if (move === 'into') return 'all';
    const here = this.current;
    const places: Exclude<StopAt, 'all'> = [...this.places()];
    if (move === 'over' && here) places.push({ phase: here.phase, module: here.module });
    if (move === 'out') places.push({ phase: 'update', module: null });
    // The exploding-gradient filter looks at every backward operation, the saturated one at every forward.
    if (this.explodingNorm !== undefined) places.push({ phase: 'backward', module: null });
    if (this.monitors.settings.saturation !== undefined || this.monitors.settings.deadRelu) places.push({ phase: 'forward', module: null });
    return places;
  }

  private resume(move: Move): void {
    this.move = move;
    this.running = true;
    this.transport.send({ type: 'continue', stopAt: this.stopAtFor(move), stopOnNonFinite: this.stopOnNonFinite });
    this.emit({ type: 'continued' });
  }

  /** Forward moves: through the recorded history first, then the live process. */
  private forward(move: Move): void {
    if (this.running) return;
    if (!this.atLivePoint) {
      if (move === 'continue') {
        this.index = this.stops.length - 1;
        this.emit({ type: 'output', category: 'console', text: 'Continuing from the live point.\n' });
      } else {
        this.index++;
        this.emit({ type: 'stopped', stop: { reason: 'step', description: `${describeStop(this.current!)} (history)` } });
        return;
      }
    }
    this.resume(move);
  }

  stepIn(): void {
    this.forward('into');
  }

  stepOver(): void {
    this.forward('over');
  }

  stepOut(): void {
    this.forward('out');
  }

  continue(): void {
    this.forward('continue');
  }

  pause(): void {
    if (this.running) this.transport.send({ type: 'pause' });
  }

  stepBack(): void {
    if (this.running) return;
    if (this.index <= 0) {
      this.emit({ type: 'refused', message: 'This is the first recorded operation: PyTorch cannot be undone, and nothing earlier was recorded.' });
      this.emit({ type: 'stopped', stop: { reason: 'step', description: describeStop(this.current!) } });
      return;
    }
    if (this.atLivePoint) this.emit({ type: 'output', category: 'important', text: 'PyTorch cannot be undone: stepping back shows the recorded history (read-only). Continue resumes from the live point.' });
    this.index--;
    this.emit({ type: 'stopped', stop: { reason: 'step', description: `${describeStop(this.current!)} (history)` } });
  }

  stop(): void {
    this.transport.stop();
  }

  /** The process is gone (exit, stop, dropped connection): listeners (the status bar) let go. */
  ended(message: string): void {
    this.running = false;
    this.emit({ type: 'ended', message });
  }

  // ---- what the Variables view and conditions read

  /** The layers known at a stop for one rank, in layer order. */
  knownLayers(stop: LiveStop, rank = 0): PausedLayer[] {
    const known = stop.known[rank];
    return [...known.keys()].sort((a, b) => a - b).map((k) => known.get(k)!);
  }

  /** ‖∂J/∂W, ∂J/∂b‖₂ of a layer: the reduced gradient once known, before it this rank's local one. */
  private layerGradNorm(stop: LiveStop, layer: number, rank = 0): number {
    const known = stop.known[rank].get(layer);
    const pick = (reduced: string, local: string) => (isTensor(known?.[reduced]) ? known![reduced] : known?.[local]);
    let sum = 0;
    for (const t of [pick('gradWeights', 'localGradWeights'), pick('gradBias', 'localGradBias')]) if (isTensor(t)) for (const v of t.data) sum += v * v;
    return Math.sqrt(sum);
  }

  /** The saturated-units filter on rank 0's layer just run forward (its z and a over the batch). */
  private saturatedAt(stop: LiveStop, layer: number): Finding | undefined {
    const known = stop.known[0].get(layer);
    const z = known?.z;
    const a = known?.a;
    if (!isTensor(z) || !isTensor(a) || typeof known?.activation !== 'string') return undefined;
    const [rows, units] = z.shape;
    return this.monitors.saturated({ index: layer, activation: known.activation as ActivationName, z: z.data, a: a.data, rows, units });
  }

  /**
   * The dead-ReLU filter on rank 0's layer just run forward: candidates from the batch's z,
   * confirmed by the units the recorder found with z ≤ 0 on its whole training split.
   */
  private deadAt(stop: LiveStop, layer: number): Finding | undefined {
    const known = stop.known[0].get(layer);
    const z = known?.z;
    const deadOnSplit = stop.ranks[0].deadUnits;
    if (!isTensor(z) || deadOnSplit === undefined || typeof known?.activation !== 'string') return undefined;
    const [rows, units] = z.shape;
    return this.monitors.dead({ index: layer, activation: known.activation as ActivationName, z: z.data, rows, units }, () => new Set(deadOnSplit));
  }

  /** The expression scope of a stop (rank 0's numbers): per-layer families, loss, step. */
  scope(stop: LiveStop = this.current!): Scope {
    const layers = this.knownLayers(stop);
    const count = Math.max(0, ...[...stop.known[0].keys()].map((k) => k + 1));
    const family = (name: string): Value => ({
      kind: 'layers', name, count,
      layer: (n: number) => {
        const t = stop.known[0].get(n - 1)?.[name];
        if (!isTensor(t)) throw new Error(`${name}[${n}] is not known at ${describeStop(stop)}`);
        return asTensor(t);
      },
      current: stop.layer === null ? undefined : () => {
        const t = stop.known[0].get(stop.layer!)?.[name];
        if (!isTensor(t)) throw new Error(`${name} of layer ${stop.layer! + 1} is not known at ${describeStop(stop)}`);
        return asTensor(t);
      },
    });
    const fields = new Set(layers.flatMap((l) => Object.keys(l).filter((k) => isTensor(l[k]))));
    return {
      lookup: (name) => {
        if (name === 'step') return stop.step;
        if (name === 'epoch') return stop.epoch;
        if (name === 'loss') {
          if (stop.loss === null) throw new Error(`the loss is not known at ${describeStop(stop)}`);
          return stop.loss;
        }
        return fields.has(name) ? family(name) : undefined;
      },
      names: () => ['step', 'epoch', 'loss', ...fields],
      gradNorm: (layer) => {
        if (layer !== undefined) return this.layerGradNorm(stop, layer - 1);
        return Math.sqrt([...stop.known[0].keys()].reduce((s, l) => s + this.layerGradNorm(stop, l) ** 2, 0));
      },
    };
  }

  /**
   * Data-parallel: per layer whose local gradients (every rank's) and reduced gradient are known
   * (the update on), the ranks compared (compareRanks: their mean, max |mean − reduced|).
   */
  reductionCheck(stop: LiveStop = this.current!): { layer: number; ranks: RankGradients['layers'][number] }[] | undefined {
    if (stop.ranks.length < 2) return undefined;
    const out: { layer: number; ranks: RankGradients['layers'][number] }[] = [];
    for (const layer of [...stop.known[0].keys()].sort((a, b) => a - b)) {
      const gradient = (known: Map<number, PausedLayer>, weights: string, bias: string): ParameterGradient | undefined => {
        const [w, b] = [known.get(layer)?.[weights], known.get(layer)?.[bias]];
        return isTensor(w) && isTensor(b) ? { weights: w.data, bias: b.data } : undefined;
      };
      const local = stop.known.map((known) => gradient(known, 'localGradWeights', 'localGradBias'));
      const reduced = gradient(stop.known[0], 'gradWeights', 'gradBias');
      if (reduced && local.every((g) => g !== undefined)) out.push({ layer, ranks: compareRanks(local as ParameterGradient[], reduced) });
    }
    return out.length ? out : undefined;
  }
}

/** Adds a pause's data to what is known of its step's layers. */
function merge(known: Map<number, PausedLayer>, pause: Paused): void {
  const add = (index: number, data: PausedLayer) => {
    const into = known.get(index) ?? {};
    for (const [key, value] of Object.entries(data)) if (value !== null || !(key in into)) into[key] = value;
    known.set(index, into);
  };
  if (pause.layerData && pause.layer !== null) add(pause.layer, pause.layerData);
  pause.layers?.forEach((layer, i) => add(typeof layer.index === 'number' ? layer.index : i, layer));
}

function activationOf(stop: LiveStop): string | undefined {
  const module = stop.layer === null ? undefined : stop.known[0].get(stop.layer)?.activationModule;
  return typeof module === 'string' ? module : undefined;
}

export function isTensor(value: unknown): value is LiveTensor {
  return value !== null && typeof value === 'object' && (value as LiveTensor).data instanceof Float64Array;
}

export function asTensor(t: LiveTensor): Tensor {
  return { kind: 'tensor', shape: t.shape, data: t.data };
}

/** "backward · layer 2 (module 2)", as the call stack names operations. */
export function describeStop(stop: LiveStop): string {
  const what = stop.layer === null ? stop.phase : `${stop.phase} · layer ${stop.layer + 1} (module ${stop.module})`;
  return `${what} · step ${stop.step}`;
}

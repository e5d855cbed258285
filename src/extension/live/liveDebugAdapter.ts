// The Debug Adapter Protocol for a live PyTorch launch ("program" in a `backprop` configuration):
// BackpropDebugSession hands every request after such a launch to this class, which translates
// between DAP and LiveRuntime exactly as the session does for TrainingRuntime (same stop reasons,
// same exception filters, same value formatting). The script's stdout/stderr become output events;
// the model's modules are a generated read-only source (a DAP sourceReference) that breakpoints
// attach to. No `vscode` import.
import { dirname, join, resolve } from 'node:path';
import {
  Breakpoint, ContinuedEvent, Event, ExitedEvent, Handles, InitializedEvent, OutputEvent, Response, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { type Tensor, type Value, evaluate } from '../debug/expressions';
import { describeResult, describeTensor, formatNumber, tensorRow } from '../debug/variables';
import { LiveProcess } from './liveProcess';
import type { LiveTensor, PausedLayer } from './liveProtocol';
import { type LiveEvent, type LiveStop, LiveRuntime, asTensor, describeStop, isTensor } from './liveRuntime';

export interface LiveLaunchArguments {
  program: string;
  args?: string[];
  cwd?: string;
  python?: string;
}

/** What the live adapter needs of the DAP session it speaks through. */
export interface DapChannel {
  sendResponse(response: DebugProtocol.Response): void;
  sendEvent(event: DebugProtocol.Event): void;
}

const THREAD_ID = 1;
const MODULE_VIEW = 1;
const FRAME = { operation: 1, step: 2 } as const;

type Container =
  | { kind: 'layer'; layer: number; rank: number }
  | { kind: 'step' }
  | { kind: 'ranks' }
  | { kind: 'rank'; rank: number }
  | { kind: 'tensor'; tensor: Tensor; evaluateName?: string };

/** The moves a request makes, answered before the runtime moves. */
const MOVES: Record<string, (runtime: LiveRuntime) => void> = {
  continue: (r) => r.continue(),
  next: (r) => r.stepOver(),
  stepIn: (r) => r.stepIn(),
  stepOut: (r) => r.stepOut(),
  stepBack: (r) => r.stepBack(),
  pause: (r) => r.pause(),
};

/** Requests a live script cannot honour, with the reason and what to do instead. */
const REFUSED: Record<string, string> = {
  reverseContinue: 'Reverse Continue is not available for a live PyTorch script; Step Back moves through the recorded operations.',
  restart: 'A live PyTorch script cannot be restarted in place: stop it and launch again.',
};

function processName(hellos: { modelType: string; worldSize: number }[]): string {
  return hellos[0].worldSize > 1 ? `${hellos[0].modelType} (${hellos[0].worldSize} ranks)` : hellos[0].modelType;
}

/** The launch arguments' problem, or undefined; checked before anything starts. */
export function checkLiveLaunch(args: Record<string, unknown>): string | undefined {
  if (typeof args.program !== 'string' || args.program === '') return '"program" must be the path of a Python script';
  if (args.args !== undefined && !(Array.isArray(args.args) && args.args.every((a) => typeof a === 'string'))) return '"args" must be a list of strings';
  for (const key of ['cwd', 'python'] as const) if (args[key] !== undefined && typeof args[key] !== 'string') return `"${key}" must be a string`;
  return undefined;
}

export class LiveDebugAdapter {
  private readonly process: LiveProcess;
  /** The live process' runtime: the inspector follows its stops (LiveTraceSession). */
  readonly runtime: LiveRuntime;
  private readonly containers = new Handles<Container>();
  private terminated = false;

  constructor(
    private readonly channel: DapChannel,
    /** The folder holding `backprop_stepper`: python/ next to dist/, where this file is bundled. */
    private readonly recorderPath = join(__dirname, '..', 'python'),
  ) {
    this.process = new LiveProcess((event) => {
      switch (event.type) {
        case 'output':
          return this.channel.sendEvent(new OutputEvent(event.text, event.category));
        case 'ready':
          // DAP's process event: the pid the editor stops (tests check it is gone afterwards).
          this.channel.sendEvent(new Event('process', { name: processName(event.hellos), systemProcessId: event.hellos[0].pid, isLocalProcess: true, startMethod: 'launch' }));
          return this.runtime.ready(event.hellos);
        case 'message':
          return this.runtime.receive(event.rank, event.message);
        case 'ended':
          return this.ended(event.reason, event.exitCode);
      }
    });
    this.runtime = new LiveRuntime({
      welcome: (stopAt, stopOnNonFinite) => this.process.welcome(stopAt, stopOnNonFinite),
      send: (message) => this.process.sendAll(message),
      stop: () => this.process.stop(),
    });
    this.runtime.onEvent((event) => this.translate(event));
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  async launch(response: DebugProtocol.LaunchResponse, args: LiveLaunchArguments & { stopOnEntry?: boolean }): Promise<void> {
    const cwd = args.cwd ?? dirname(resolve(args.program));
    try {
      await this.process.start({ python: args.python ?? 'python3', program: resolve(cwd, args.program), args: args.args ?? [], cwd, recorderPath: this.recorderPath });
    } catch (error) {
      response.success = false;
      response.message = `Cannot start the live session: ${(error as Error).message}`;
      return this.channel.sendResponse(response);
    }
    this.channel.sendEvent(new InitializedEvent());
    this.channel.sendResponse(response);
  }

  private ended(reason: string, exitCode: number | null): void {
    if (this.terminated) return;
    this.terminated = true;
    this.runtime.ended(reason);
    this.channel.sendEvent(new OutputEvent(`${reason}\n`, exitCode === 0 ? 'console' : 'stderr'));
    this.channel.sendEvent(new ExitedEvent(exitCode ?? 1));
    this.channel.sendEvent(new TerminatedEvent());
  }

  private translate(event: LiveEvent): void {
    switch (event.type) {
      case 'stopped': {
        this.containers.reset();
        const stop = new StoppedEvent(event.stop.reason, THREAD_ID) as DebugProtocol.StoppedEvent;
        stop.body.description = event.stop.description;
        stop.body.text = event.stop.text ?? event.stop.description;
        if (event.stop.breakpointIds) stop.body.hitBreakpointIds = event.stop.breakpointIds;
        return this.channel.sendEvent(stop);
      }
      case 'continued':
        return this.channel.sendEvent(new ContinuedEvent(THREAD_ID));
      case 'refused':
        return this.channel.sendEvent(new OutputEvent(`${event.message}\n`, 'important'));
      case 'output':
        return this.channel.sendEvent(new OutputEvent(event.text, event.category));
    }
  }

  /** One DAP request of this live session. */
  handle(request: DebugProtocol.Request): void {
    const response = new Response(request) as DebugProtocol.Response;
    const args = (request.arguments ?? {}) as Record<string, unknown>;
    const done = (body?: unknown) => {
      if (body !== undefined) response.body = body;
      this.channel.sendResponse(response);
    };
    const current = this.runtime.current;
    try {
      switch (request.command) {
        case 'configurationDone':
          return done();
        case 'setBreakpoints': {
          const requested = (args.breakpoints as DebugProtocol.SourceBreakpoint[] | undefined) ?? [];
          const results = this.runtime.setBreakpoints(requested.map((b) => ({ line: b.line, condition: b.condition })));
          return done({ breakpoints: results.map((r) => ({ ...new Breakpoint(r.verified, r.line, undefined, this.moduleView()), id: r.id, message: r.message })) });
        }
        case 'setFunctionBreakpoints':
          return done({ breakpoints: ((args.breakpoints as unknown[]) ?? []).map(() => ({ verified: false, message: 'In a live PyTorch session, set breakpoints on the module lines of the model view.' })) });
        case 'setExceptionBreakpoints': {
          const filters = [...((args.filterOptions as DebugProtocol.ExceptionFilterOptions[]) ?? []), ...((args.filters as string[]) ?? []).map((filterId) => ({ filterId }))];
          return done({ breakpoints: this.runtime.setExceptionFilters(filters) });
        }
        case 'exceptionInfo': {
          const stop = this.runtime.lastStop;
          return done({ exceptionId: stop?.filter ?? 'pytorch', description: stop?.text ?? stop?.description ?? '', breakMode: 'always' });
        }
        case 'threads':
          return done({ threads: [new Thread(THREAD_ID, this.runtime.worldSize > 1 ? `${this.runtime.worldSize} ranks` : 'PyTorch')] });
        case 'continue':
        case 'next':
        case 'stepIn':
        case 'stepOut':
        case 'stepBack':
        case 'pause':
          // Answered first: the stop the move leads to is an event that must come after the response.
          done(request.command === 'continue' ? { allThreadsContinued: true } : undefined);
          return MOVES[request.command](this.runtime);
        case 'reverseContinue':
        case 'restart':
          response.success = false;
          response.message = REFUSED[request.command];
          return done();
        case 'terminate':
        case 'disconnect':
          // Answered once the script and its children are gone (a stdio adapter exits right after).
          void this.process.stopAndWait().then(() => done());
          return;
        case 'source':
          return done({ content: this.runtime.moduleViewText(), mimeType: 'text/plain' });
        case 'stackTrace':
          return done(this.stackTrace(current));
        case 'scopes':
          return done({ scopes: current ? this.scopes(current) : [] });
        case 'variables': {
          const container = this.containers.get(args.variablesReference as number);
          return done({ variables: container && current ? this.children(current, container, args as unknown as DebugProtocol.VariablesArguments) : [] });
        }
        case 'evaluate': {
          if (!current) throw new Error('The script has not stopped yet.');
          const value: Value = evaluate(String(args.expression), this.runtime.scope(current));
          const isT = typeof value === 'object' && value.kind === 'tensor';
          return done({ result: describeResult(value), variablesReference: isT ? this.containers.create({ kind: 'tensor', tensor: value as Tensor, evaluateName: String(args.expression) }) : 0 });
        }
        default:
          response.success = false;
          response.message = `"${request.command}" is not supported in a live PyTorch session.`;
          return done();
      }
    } catch (error) {
      response.success = false;
      response.message = (error as Error).message;
      return done();
    }
  }

  private moduleView(): Source {
    return new Source('model.bpmodules', undefined, MODULE_VIEW, 'generated', 'backprop-live');
  }

  private stackTrace(stop: LiveStop | undefined): DebugProtocol.StackTraceResponse['body'] {
    if (!stop) return { stackFrames: [], totalFrames: 0 };
    const history = this.runtime.atLivePoint ? '' : ' (history)';
    const frames = [
      new StackFrame(FRAME.operation, `${describeStop(stop).replace(/ · step \d+$/, '')}${history}`, this.moduleView(), this.runtime.lineOfModule(stop.module)),
      new StackFrame(FRAME.step, `step ${stop.step} (epoch ${stop.epoch})`, this.moduleView(), 1),
    ];
    return { stackFrames: frames, totalFrames: frames.length };
  }

  private scopes(stop: LiveStop): Scope[] {
    const scope = (name: string, container: Container) => new Scope(name, this.containers.create(container), false);
    const scopes: Scope[] = [];
    if (stop.layer !== null) scopes.push(scope(`Layer ${stop.layer + 1}`, { kind: 'layer', layer: stop.layer, rank: 0 }));
    scopes.push(scope('Step', { kind: 'step' }));
    if (stop.ranks.length > 1) scopes.push(scope(`Ranks (${stop.ranks.length})`, { kind: 'ranks' }));
    return scopes;
  }

  private children(stop: LiveStop, container: Container, args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    switch (container.kind) {
      case 'layer':
        return this.layerVariables(stop.known[container.rank].get(container.layer) ?? {}, container.layer);
      case 'step': {
        const out: DebugProtocol.Variable[] = [
          { name: 'step', value: String(stop.step), variablesReference: 0 },
          { name: 'epoch', value: String(stop.epoch), variablesReference: 0 },
          { name: 'batch', value: `[${stop.ranks[0].batch.join(', ')}]`, variablesReference: 0 },
          { name: 'loss', value: stop.loss === null ? 'not computed yet' : formatNumber(stop.loss), variablesReference: 0, evaluateName: stop.loss === null ? undefined : 'loss' },
        ];
        for (const l of this.runtime.knownLayers(stop).keys()) {
          out.push({ name: `layer ${l + 1}`, value: 'known so far', variablesReference: this.containers.create({ kind: 'layer', layer: l, rank: 0 }) });
        }
        return out;
      }
      case 'ranks': {
        const out: DebugProtocol.Variable[] = stop.ranks.map((_, rank) => ({ name: `rank ${rank}`, value: `batch [${stop.ranks[rank].batch.join(', ')}]`, variablesReference: this.containers.create({ kind: 'rank', rank }) }));
        const check = this.runtime.reductionCheck(stop);
        for (const c of check ?? []) {
          out.push({ name: `layer ${c.layer + 1}: max |mean of ranks' ∂J/∂W, ∂J/∂b − reduced|`, value: formatNumber(c.ranks.maxDifference), variablesReference: 0 });
        }
        return out;
      }
      case 'rank':
        return this.runtime.knownLayers(stop, container.rank).map((_, l) => ({ name: `layer ${l + 1}`, value: `rank ${container.rank}`, variablesReference: this.containers.create({ kind: 'layer', layer: l, rank: container.rank }) }));
      case 'tensor': {
        const { tensor, evaluateName } = container;
        const start = args.start ?? 0;
        const end = Math.min(tensor.shape[0], args.count ? start + args.count : tensor.shape[0]);
        const out: DebugProtocol.Variable[] = [];
        for (let i = start; i < end; i++) out.push(this.valueVariable(`[${i}]`, tensorRow(tensor, i), evaluateName && `${evaluateName}[${i}]`));
        return out;
      }
    }
  }

  private layerVariables(layer: PausedLayer, index: number): DebugProtocol.Variable[] {
    return Object.entries(layer).map(([name, value]) => {
      if (isTensor(value)) return this.valueVariable(name, asTensor(value), `${name}[${index + 1}]`);
      if (value === null) return { name, value: 'not computed yet', variablesReference: 0 };
      if (typeof value === 'object') {
        const parts = Object.entries(value).map(([k, v]) => `${k}: ${isTensor(v) ? describeTensor(asTensor(v as LiveTensor)) : 'not computed yet'}`);
        return { name, value: parts.join('; '), variablesReference: 0 };
      }
      return { name, value: String(value), variablesReference: 0 };
    });
  }

  private valueVariable(name: string, value: number | Tensor, evaluateName?: string): DebugProtocol.Variable {
    if (typeof value === 'number') return { name, value: formatNumber(value), variablesReference: 0, evaluateName };
    return { name, value: describeTensor(value), evaluateName, variablesReference: this.containers.create({ kind: 'tensor', tensor: value, evaluateName }), indexedVariables: value.shape[0] };
  }
}

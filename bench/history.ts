// History at any length (issue 16 item 4): how long Step Back, Go To and fetching an old step's
// record take far into training, how long the extension host's event loop is held meanwhile, and
// what the history costs in memory. Everything goes through the session the inspector and the
// debugger use (TrainingSession: its sliced replays), on 2-8-8-1 with Adam and shuffled batches.
// Run alone: `node --import tsx bench/history.ts`.
import { readFileSync } from 'node:fs';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ModelFile } from '../src/engine/types';
import type { History } from '../src/engine/history';
import { Rng } from '../src/engine/rng';
import { TrainingSession } from '../src/extension/session';
import { type BenchSection, machine } from './measure';

const SAMPLES = 256;
const PRESSES = 15;

function modelText(): string {
  const rng = new Rng(5);
  const x = Array.from({ length: SAMPLES }, () => [rng.uniform() * 2 - 1, rng.uniform() * 2 - 1]);
  const model: ModelFile = {
    name: '2-8-8-1',
    seed: 1,
    inputs: 2,
    layers: [{ units: 8, activation: 'relu' }, { units: 8, activation: 'relu' }, { units: 1, activation: 'identity' }],
    loss: 'mse',
    optimizer: { type: 'adam', learningRate: 0.001 },
    data: { x, y: x.map(([a, b]) => [a * b]) },
    batch: { mode: 'mini-batch', size: 32, shuffle: true },
  };
  return JSON.stringify(model);
}

/** A garbage collection on demand, for heap figures that mean something. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * The JS heap and the typed arrays' buffers (the loss history's chunks live outside the heap) once
 * garbage is gone: V8 sweeps concurrently and counts a freed buffer's bytes only when its sweep has
 * run, so a reading right after one collection can still hold an earlier section's garbage (a
 * full bench once read a negative growth that way). Two collections a moment apart settle it.
 */
async function settledUsage(gc: () => void): Promise<number> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

interface Timings {
  median: number; // wall-clock ms
  max: number;
  cpuMedian: number; // this process's CPU ms (user + system): steadier than the wall clock on a shared machine
}

/**
 * The longest stretch of CPU time the main thread (the one the event loop runs on) spent between two
 * turns of a 1 ms timer, in ms: unlike the event-loop delay it leaves out the time other processes
 * on a shared machine had the core. Read from Linux's per-thread schedstat (nanoseconds on CPU);
 * undefined elsewhere. stop() ends it and gives the figure.
 */
function mainThreadBlocks(): { stop(): number | undefined } {
  const file = `/proc/self/task/${process.pid}/schedstat`;
  const onCpuMs = () => Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
  try {
    onCpuMs();
  } catch {
    return { stop: () => undefined };
  }
  let last = onCpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = onCpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop: () => {
      clearInterval(timer);
      return longest;
    },
  };
}

/**
 * The longest garbage-collection pause on the main thread while it runs, in ms: a pause falls in
 * the event-loop turn of the slice it interrupts, so a block is a slice plus such a pause.
 * stop() ends it and gives the figure.
 */
function longestCollection(): { stop(): number } {
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      for (const entry of observer.takeRecords()) longest = Math.max(longest, entry.duration);
      observer.disconnect();
      return longest;
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed(count: number, body: (i: number) => Promise<unknown>): Promise<Timings> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await body(i);
    const used = process.cpuUsage(cpuStart);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { median: median(wall), max: Math.max(...wall), cpuMedian: median(cpu) };
}

interface Row {
  steps: number;
  stepBack: Timings;
  goTo: Timings;
  record: Timings;
  longestBlockMs: number;
  longestMainThreadMs: number | undefined;
  longestCollectionMs: number;
  checkpoints: { checkpoints: number; bytes: number; coarseInterval: number; fineInterval: number };
  memoryPerStep: number; // JS heap and typed-array buffers
}

async function measure(steps: number, gc: () => void): Promise<Row> {
  const loaded = TrainingSession.load('file:///bench-history.backprop.json', modelText());
  if (!loaded.ok) throw new Error('bench model does not load');
  const session = loaded.session;
  const heapBefore = await settledUsage(gc);
  // Trained as Go To Step trains forward: full speed, untraced but for each slice's last step.
  await session.goToStep(steps);
  const memoryPerStep = ((await settledUsage(gc)) - heapBefore) / steps;
  const history = (session as unknown as { trainer: { history: History } }).trainer.history;
  const checkpoints = history.memory;

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const mainThread = mainThreadBlocks();
  const collections = longestCollection();
  const stepBack = await timed(PRESSES, () => session.stepBack());
  const rng = new Rng(9);
  const goTo = await timed(PRESSES, () => session.goToStep(1 + rng.int(steps - 1)));
  const record = await timed(PRESSES, async () => {
    const step = 1 + rng.int(session.completedSteps - 1);
    await session.prepareRecord(step);
    if (!session.recordAt(step)) throw new Error(`no record of step ${step}`);
  });
  delay.disable();
  const longestMainThreadMs = mainThread.stop();
  const longestCollectionMs = collections.stop();
  session.dispose();
  return { steps, stepBack, goTo, record, longestBlockMs: delay.max / 1e6, longestMainThreadMs, longestCollectionMs, checkpoints, memoryPerStep };
}

const ms = (t: Timings) => `${t.median.toFixed(1)} / ${t.max.toFixed(1)} (CPU ${t.cpuMedian.toFixed(1)})`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

export const historyAtLength: BenchSection = {
  title: 'History at any length: Step Back, Go To, old records',
  async run() {
    const gc = collector();
    const rows = [await measure(200_000, gc), await measure(1_000_000, gc)];
    const lines = [
      `2-8-8-1, batch 32, Adam, shuffled (${SAMPLES} samples), through TrainingSession (the inspector's and the debugger's path), trained there untraced by Go To Step. ` +
        `${PRESSES} of each: Step Back pressed from the newest step on; Go To and an old record (prepareRecord, then recordAt) at random steps. ` +
        'Milliseconds as wall-clock median / max (and the median CPU time of this process, steadier on a shared machine). "Longest block": the largest event-loop delay `perf_hooks.monitorEventLoopDelay` (1 ms resolution) saw during all of them; ' +
        '"main thread": the most CPU time the main thread spent between two turns of a 1 ms timer (Linux schedstat, which the kernel brings up to date at context switches and scheduler ticks: good to a few ms), the block without the time other processes held the core; ' +
        '"longest GC": the longest garbage-collection pause meanwhile (`PerformanceObserver` gc entries): a replay yields every few ms, and a block is such a slice plus the pause that falls in it. ' +
        'Checkpoints: coarse every "coarse" steps (the longest replay of a Go To), fine every "fine" steps inside the interval last visited (the longest replay of a further Step Back).',
      '',
      '| trained to step | Step Back (ms) | Go To (ms) | old record (ms) | longest block (ms) | main thread (ms) | longest GC (ms) | checkpoints | coarse / fine spacing | checkpoint memory | memory growth per step |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map((r) =>
        `| ${r.steps.toLocaleString('en-US')} | ${ms(r.stepBack)} | ${ms(r.goTo)} | ${ms(r.record)} | ${r.longestBlockMs.toFixed(1)} | ${r.longestMainThreadMs?.toFixed(1) ?? 'n/a'} | ${r.longestCollectionMs.toFixed(1)} | ` +
        `${r.checkpoints.checkpoints} | ${r.checkpoints.coarseInterval} / ${r.checkpoints.fineInterval} | ${mib(r.checkpoints.bytes)} | ${r.memoryPerStep.toFixed(0)} B |`),
      '',
      'Targets (issue 16 item 4): Step Back ≤ 50 ms per press, Go To ≤ 200 ms, an old record ≤ 100 ms, no event-loop block over 16 ms. ' +
        'The checkpoints are bounded (at most 1,024 coarse and 16 fine, and at most 128 MiB: a big model keeps fewer); ' +
        'what grows with the step count is the loss history the charts draw (four float64 per step, in 64 KiB chunks outside the JS heap) ' +
        'and the epoch figures (here one per 8 steps), counted above as the JS heap plus typed-array buffers: about ' +
        `${Math.round(rows[1].memoryPerStep)} bytes per step, ${mib(rows[1].memoryPerStep * 1_000_000)} for a million steps.`,
    ];
    return lines.join('\n');
  },
};

if (require.main === module) {
  Promise.resolve(historyAtLength.run()).then((text) => process.stdout.write(`${machine()}\n\n${text}\n`));
}

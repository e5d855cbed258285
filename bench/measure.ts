// Shared by the benchmark sections: repeat a timed loop and take the median (the machine is
// shared and noisy; the median of several repetitions is steadier than the mean, and rates
// taken in turn within one repetition compare better than rates taken minutes apart).
import { cpus, loadavg } from 'node:os';
import { type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';

export interface Rate {
  median: number; // operations per second
  runs: number[];
}

/** Runs `body` `count` times per repetition, after a warm-up, and returns operations/second. */
export function rate(body: () => void, count: number, repetitions = 5, warmup = Math.max(1, Math.floor(count / 5))): Rate {
  return rates([body], count, repetitions, warmup)[0];
}

/**
 * Several bodies timed in turn within each repetition, so a burst of load from other processes
 * hits them alike; runs[r] of each result belong to the same repetition r (see medianRatio).
 */
export function rates(bodies: (() => void)[], count: number, repetitions = 5, warmup = Math.max(1, Math.floor(count / 5))): Rate[] {
  for (const body of bodies) for (let i = 0; i < warmup; i++) body();
  const runs = bodies.map((): number[] => []);
  for (let r = 0; r < repetitions; r++) {
    bodies.forEach((body, b) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < count; i++) body();
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      runs[b].push(count / seconds);
    });
  }
  return runs.map((list) => ({ median: median(list), runs: list }));
}

/** The median over repetitions of a's rate ÷ b's rate in the same repetition (a and b from one rates call). */
export function medianRatio(a: Rate, b: Rate): number {
  return median(a.runs.map((run, r) => run / b.runs[r]));
}

function median(values: number[]): number {
  const sorted = [...values].sort((p, q) => p - q);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * The garbage collector's main-thread pauses, by the contender whose timed window each began in.
 * Contenders timed in turn share one heap, so garbage one leaves may be collected in another's
 * window: a contender that allocates little is charged for its neighbour's collections, and the
 * neighbour looks cheaper than it is. This shows where the pauses fell, not who made the garbage.
 */
export class GcPausesByWindow {
  private readonly pauses: PerformanceEntry[] = [];
  private readonly windows: { contender: number; start: number; end: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => this.pauses.push(...list.getEntries()));

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Runs `body` as one window of contender `contender`. */
  async timed<T>(contender: number, body: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await body();
    } finally {
      this.windows.push({ contender, start, end: performance.now() });
    }
  }

  /** Stops observing; per contender (0 … contenders − 1), the milliseconds of pauses that began inside its windows. */
  async finish(contenders: number): Promise<number[]> {
    // Node reports a pause from a callback it schedules after the collection: let those run.
    await new Promise((resolve) => setImmediate(resolve));
    this.pauses.push(...this.observer.takeRecords());
    this.observer.disconnect();
    const totals = new Array<number>(contenders).fill(0);
    for (const pause of this.pauses) {
      const window = this.windows.find((w) => pause.startTime >= w.start && pause.startTime < w.end);
      if (window) totals[window.contender] += pause.duration;
    }
    return totals;
  }
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} logical cores), Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadavg()[0].toFixed(1)} at the start`;
}

export function formatRate(r: number): string {
  return r >= 100 ? Math.round(r).toLocaleString('en-US') : r.toPrecision(3);
}

/** A benchmark section: a title and a markdown body, run by bench/run.ts. */
export interface BenchSection {
  title: string;
  run(): Promise<string> | string;
}

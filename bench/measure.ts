// Shared by the benchmark sections: repeat a timed loop and take the median (the machine is
// shared and noisy; the median of several repetitions is steadier than the mean, and rates
// taken in turn within one repetition compare better than rates taken minutes apart).
import { cpus, loadavg } from 'node:os';

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

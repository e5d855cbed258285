// Shared by the benchmark sections: repeat a timed loop and take the median (the machine is
// shared and noisy; the median of several repetitions is steadier than the mean).
import { cpus, loadavg } from 'node:os';

export interface Rate {
  median: number; // operations per second
  runs: number[];
}

/** Runs `body` `count` times per repetition, after a warm-up, and returns operations/second. */
export function rate(body: () => void, count: number, repetitions = 5, warmup = Math.max(1, Math.floor(count / 5))): Rate {
  for (let i = 0; i < warmup; i++) body();
  const runs: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) body();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    runs.push(count / seconds);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], runs };
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

// The longer model-file fuzz (issue 11): `npm run fuzz -- --cases 5000 [--seed 1] [--workers 2]
// [--timeout 20] [--memory 1024] [--keep DIR] [--cli PATH]` (--cli: another build of dist/cli.js,
// so that rebuilding during a long run does not change what it tests). Builds nothing itself (`npm run fuzz` builds
// first); prints progress, the outcome table (Markdown) and every unacceptable case with its
// mutations; with --keep, writes those files to DIR to reproduce them. Exit 1 if any case
// ended other than ok or a clean located error.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ACCEPTABLE, type CaseResult, fuzz, outcomeTable } from '../test/fuzz/modelFuzzer';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '20' },
    memory: { type: 'string', default: '1024' },
    keep: { type: 'string' },
    cli: { type: 'string' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const workers = Number(values.workers);
const options = { timeoutMs: Number(values.timeout) * 1000, memoryMiB: Number(values.memory), cli: values.cli };

async function main(): Promise<number> {
  const started = Date.now();
  let done = 0;
  const finished: CaseResult[] = [];
  // Stopped early (SIGINT, SIGTERM): the table of the cases that did finish.
  const stopEarly = () => {
    process.stdout.write(`\nstopped after ${finished.length} of ${cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${outcomeTable(finished)}\n`);
    process.exit(finished.every((r) => ACCEPTABLE.includes(r.outcome)) ? 0 : 1);
  };
  process.on('SIGINT', stopEarly);
  process.on('SIGTERM', stopEarly);
  const results = await fuzz(seed, cases, workers, options, (r: CaseResult) => {
    finished.push(r);
    done++;
    if (!ACCEPTABLE.includes(r.outcome)) process.stderr.write(`\ncase ${r.fuzzCase.index}: ${r.outcome} (${r.fuzzCase.seedFile}; ${r.fuzzCase.mutations.join('; ')}): ${r.detail}\n`);
    if (done % 50 === 0) process.stderr.write(`${done}/${cases} cases, ${((Date.now() - started) / 1000).toFixed(0)} s\r`);
  });
  const bad = results.filter((r) => !ACCEPTABLE.includes(r.outcome));
  const slowest = [...results].sort((a, b) => b.cpuSeconds - a.cpuSeconds)[0];
  const largest = [...results].sort((a, b) => b.peakMiB - a.peakMiB)[0];
  process.stdout.write(`\nseed ${seed}, ${cases} cases, ${workers} workers, ${options.timeoutMs / 1000} s CPU timeout, ${options.memoryMiB} MiB budget: ${((Date.now() - started) / 1000).toFixed(0)} s\n\n`);
  process.stdout.write(outcomeTable(results) + '\n\n');
  process.stdout.write(`most CPU: case ${slowest.fuzzCase.index}, ${slowest.cpuSeconds.toFixed(1)} s (${slowest.seconds.toFixed(1)} s wall, ${slowest.outcome}); largest peak RSS: case ${largest.fuzzCase.index}, ${largest.peakMiB.toFixed(0)} MiB (${largest.outcome})\n`);
  for (const r of bad) process.stdout.write(`case ${r.fuzzCase.index} ${r.outcome}: ${r.fuzzCase.seedFile}; ${r.fuzzCase.mutations.join('; ')}: ${r.detail}\n`);
  if (values.keep && bad.length > 0) {
    mkdirSync(values.keep, { recursive: true });
    for (const r of bad) writeFileSync(join(values.keep, `case-${r.fuzzCase.index}.backprop.json`), r.fuzzCase.bytes);
  }
  return bad.length === 0 ? 0 : 1;
}

main().then((code) => (process.exitCode = code));

// `npm run bench`: runs every benchmark section and rewrites bench/results.md with the figures
// and the machine they were measured on. `npm run bench -- startup engine` runs only the named
// sections and replaces just theirs in results.md (the others keep their earlier run). Each
// section's block opens with the run that measured it, and the header's table lists them, so
// a file mixing runs says so; blocks under titles no section has any more are dropped. To add a benchmark, write a module exporting a BenchSection (see
// measure.ts) and list it here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { type BenchSection, machine } from './measure';
import { engineVsTfjs } from './engineVsTfjs';
import { optimizerCosts } from './optimizers';
import { recorderCost } from './recorderCost';
import { startup } from './startup';
import { webviewLatency } from './webviewLatency';
import { historyAtLength } from './history';

const SECTIONS: Record<string, BenchSection> = {
  engine: engineVsTfjs, optimizers: optimizerCosts, webview: webviewLatency, history: historyAtLength, recorder: recorderCost, startup,
};

const RESULTS = join(__dirname, 'results.md');

/** A section's first line: the run that measured it (bench/results.md's header lists them). */
const PROVENANCE = /^_Measured (.*)\._$/;

/** The "## title" blocks of an earlier results.md, by title. */
function earlierSections(): Map<string, string> {
  const blocks = new Map<string, string>();
  if (!existsSync(RESULTS)) return blocks;
  for (const block of readFileSync(RESULTS, 'utf8').split(/^## /m).slice(1)) {
    const [title, ...body] = block.split('\n');
    blocks.set(title, body.join('\n').trim());
  }
  return blocks;
}

/** Which run a section's block comes from, as its first line says. */
function provenanceOf(block: string): string {
  return block.split('\n')[0].match(PROVENANCE)?.[1] ?? 'by an earlier run that did not record when';
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; the sections are ${Object.keys(SECTIONS).join(', ')}`);
  const earlier = earlierSections();
  const titles = new Set(Object.values(SECTIONS).map((section) => section.title));
  const stale = [...earlier.keys()].filter((title) => !titles.has(title));
  if (stale.length > 0) process.stderr.write(`bench: dropping sections no benchmark writes any more: ${stale.join('; ')}\n`);
  const command = `npm run bench${names.length > 0 ? ` -- ${names.join(' ')}` : ''}`;
  const blocks = new Map<string, string>();
  for (const [name, section] of Object.entries(SECTIONS)) {
    const kept = earlier.get(section.title);
    blocks.set(section.title, kept ?? `_Measured never: run \`npm run bench -- ${name}\`._`);
  }
  const write = () => {
    // Sections this run does not measure are taken from the file as it is now, so that partial
    // runs of different sections at once keep each other's figures.
    const now = earlierSections();
    for (const [name, section] of Object.entries(SECTIONS)) {
      const current = now.get(section.title);
      if (names.length > 0 && !names.includes(name) && current) blocks.set(section.title, current);
    }
    const text = [
      '# Benchmark results',
      '',
      `Written by \`${command}\` (bench/run.ts) on ${machine()}. A full \`npm run bench\` measures every section in one run; ` +
        '`npm run bench -- <section> …` measures the named ones and keeps the others from earlier runs. Each section opens with the ' +
        'run that measured it (date, command, load average at its start, wall time); figures are medians, and the machine may be shared, ' +
        'so compare ratios rather than absolute numbers.',
      '',
      '| section | measured |',
      '| --- | --- |',
      ...[...blocks.keys()].map((title) => `| ${title} | ${provenanceOf(blocks.get(title)!)} |`),
      ...[...blocks].flatMap(([title, body]) => ['', `## ${title}`, '', body]),
    ].join('\n') + '\n';
    writeFileSync(RESULTS, text);
    return text;
  };
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (names.length > 0 && !names.includes(name)) continue;
    process.stderr.write(`bench: ${section.title} ...\n`);
    const started = new Date();
    const load = loadavg()[0].toFixed(1);
    let body: string;
    try {
      body = await section.run();
    } catch (error) {
      // One section that cannot finish (a workbench too slow to start) must not lose the others' figures.
      body = `Not measured in this run: ${(error as Error).message.split('\n')[0]}`;
      process.exitCode = 1;
    }
    const seconds = (Date.now() - started.getTime()) / 1000;
    const when = `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`${command}\`, load average ${load} at its start, wall time ${seconds.toFixed(0)} s`;
    blocks.set(section.title, `_Measured ${when}._\n\n${body}`);
    // Written after every section, so a run stopped part-way keeps what it measured.
    write();
  }
  process.stdout.write(write());
}
main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

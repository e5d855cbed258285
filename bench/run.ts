// `npm run bench`: runs every benchmark section and rewrites bench/results.md with the figures
// and the machine they were measured on. `npm run bench -- startup engine` runs only the named
// sections and replaces just theirs in results.md (the others keep their earlier run, as the
// header then says). To add a benchmark, write a module exporting a BenchSection (see
// measure.ts) and list it here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown section ${unknown.join(', ')}; the sections are ${Object.keys(SECTIONS).join(', ')}`);
  const earlier = earlierSections();
  const date = new Date().toISOString().slice(0, 10);
  const parts = [
    '# Benchmark results',
    '',
    `Measured ${date} on ${machine()} by \`npm run bench\` (bench/run.ts)` +
      (names.length > 0 ? ` (sections ${names.map((n) => `"${SECTIONS[n].title}"`).join(', ')}; the others are from an earlier run)` : '') +
      '. Figures are medians; the machine may be shared, so compare ratios rather than absolute numbers.',
  ];
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (names.length > 0 && !names.includes(name)) {
      const kept = earlier.get(section.title);
      if (kept) parts.push('', `## ${section.title}`, '', kept);
      continue;
    }
    process.stderr.write(`bench: ${section.title} ...\n`);
    let body: string;
    try {
      body = await section.run();
    } catch (error) {
      // One section that cannot finish (a workbench too slow to start) must not lose the others' figures.
      body = `Not measured in this run: ${(error as Error).message.split('\n')[0]}`;
      process.exitCode = 1;
    }
    parts.push('', `## ${section.title}`, '', body);
    // Written after every section, so a run stopped part-way keeps what it measured.
    writeFileSync(RESULTS, parts.join('\n') + '\n');
  }
  process.stdout.write(parts.join('\n') + '\n');
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

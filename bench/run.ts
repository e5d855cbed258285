// `npm run bench`: runs every benchmark section and rewrites bench/results.md with the figures
// and the machine they were measured on. To add a benchmark, write a module exporting a
// BenchSection (see measure.ts) and list it here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchSection, machine } from './measure';
import { engineVsTfjs } from './engineVsTfjs';
import { optimizerCosts } from './optimizers';
import { recorderCost } from './recorderCost';
import { webviewLatency } from './webviewLatency';
import { historyAtLength } from './history';

const SECTIONS: BenchSection[] = [engineVsTfjs, optimizerCosts, webviewLatency, historyAtLength, recorderCost];

async function main(): Promise<void> {
  const parts = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()} by \`npm run bench\` (bench/run.ts). ` +
      'Figures are medians; the machine may be shared, so compare ratios rather than absolute numbers.',
  ];
  for (const section of SECTIONS) {
    process.stderr.write(`bench: ${section.title} ...\n`);
    parts.push('', `## ${section.title}`, '', await section.run());
  }
  const text = parts.join('\n') + '\n';
  writeFileSync(join(__dirname, 'results.md'), text);
  process.stdout.write(text);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

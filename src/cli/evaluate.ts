// `evaluate <model> --steps N`: train N steps, then open the test split once (lesson 8: the test
// set is looked at once, at the end) and print its loss and accuracy.
import { Trainer } from '../engine/trainer';
import { runLoopSync } from '../engine/runLoop';
import { NoTestSplitError, describeTestLook, lookAtTestSet } from '../engine/testSet';
import { jsonLine } from '../engine/jsonLines';
import { integerFlag, modelPath, parseFlags } from './args';
import { InputError } from './errors';
import type { CliIo } from './io';
import { loadModelFile } from './load';

export const EVALUATE_USAGE = `evaluate <model> [--steps N] [--json]
    Train N steps (default: one epoch) without printing them, then evaluate the weights once on the
    test split (split.test of the model file, never trained on): its loss J (data and
    regularization parts) and, for classifiers, its accuracy.
    --json   one JSON object {"split": "test", "step", "epoch", "samples", "loss", "dataLoss",
             "regLoss", "accuracy"} (accuracy only for classifiers), exact to the last digit`;

export function evaluateCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('evaluate', args, {
    steps: { type: 'string' },
    json: { type: 'boolean' },
  });
  const path = modelPath('evaluate', positionals);
  const requested = integerFlag('evaluate', 'steps', flags.steps, 0);
  const { model, data, warnings } = loadModelFile(path, flags['data-root']);
  for (const warning of warnings) io.err(warning + '\n');
  // Said before training, not after it: nothing to wait for.
  if (data.split.test.length === 0) throw new InputError(`${path}: error: ${new NoTestSplitError().message}`);
  const trainer = new Trainer(model, data, { trace: false, evaluateEpochs: false });
  const steps = requested ?? trainer.plan.batchesPerEpoch;
  const outcome = runLoopSync(trainer, { fullSpeed: true, until: { kind: 'steps', value: steps } });
  if (outcome.kind === 'non-finite') throw new InputError(`${path}: error: ${outcome.error.message}`);
  const look = lookAtTestSet(trainer);
  if (flags.json) {
    const { trigger: _trigger, ...figures } = look.evaluation;
    io.out(jsonLine(figures));
    return;
  }
  io.out(describeTestLook(look).text + '\n');
}

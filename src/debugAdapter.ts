// The debug adapter as a stdio process (dist/debugAdapter.js), for the DAP tests and for any
// editor that starts adapters as programs. Each launch opens its own training session from the
// model file on disk; inside VS Code the adapter runs inline on the inspector's session instead.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findDatasetsDir, nodeFileReader } from './engine/data/nodeFiles';
import { formatDiagnostic } from './engine/model';
import { TrainingSession } from './extension/session';
import { BackpropDebugSession, type SessionOpener } from './extension/debug/backpropDebugSession';

const openFromDisk: SessionOpener = async (modelPath) => {
  let text: string;
  try {
    text = readFileSync(modelPath, 'utf8');
  } catch (error) {
    return { error: `Cannot read the model file ${modelPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const datasets = findDatasetsDir(__dirname);
  const result = TrainingSession.load(pathToFileURL(modelPath).toString(), text, {
    files: nodeFileReader(dirname(modelPath)),
    builtins: datasets ? nodeFileReader(datasets) : undefined,
  });
  if (result.ok) return { session: result.session };
  const first = result.loaded.diagnostics.find((d) => d.severity === 'error');
  return { error: first ? formatDiagnostic(first, modelPath) : `${modelPath} cannot be trained` };
};

const session = new BackpropDebugSession(openFromDisk, true);
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);

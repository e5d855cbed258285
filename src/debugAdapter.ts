// The debug adapter as a stdio process (dist/debugAdapter.js), for the DAP tests and for any
// editor that starts adapters as programs. Each launch opens its own training session from the
// model file on disk (its CSV paths confined to the model file's folder); inside VS Code the
// adapter runs inline on the inspector's session instead.
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findDatasetsDir, nodeFileReader, readFileBounded } from './engine/data/nodeFiles';
import { MAX_MODEL_FILE_BYTES, describeBytes } from './engine/limits';
import { formatDiagnostic } from './engine/model';
import { TrainingSession } from './extension/session';
import { BackpropDebugSession, type SessionOpener } from './extension/debug/backpropDebugSession';
import { useKernelIn } from './engine/nodeKernel';

const openFromDisk: SessionOpener = async (modelPath) => {
  let text: string | undefined;
  try {
    text = readFileBounded(modelPath, MAX_MODEL_FILE_BYTES);
  } catch (error) {
    return { error: `Cannot read the model file ${modelPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  if (text === undefined) return { error: `${modelPath}:1:1: error: the file holds more than ${describeBytes(MAX_MODEL_FILE_BYTES)}; model files up to ${describeBytes(MAX_MODEL_FILE_BYTES)} are read` };
  const datasets = findDatasetsDir(__dirname);
  const result = TrainingSession.load(pathToFileURL(resolve(modelPath)).toString(), text, {
    files: nodeFileReader(dirname(modelPath)),
    builtins: datasets ? nodeFileReader(datasets) : undefined,
  });
  if (result.ok) return { session: result.session };
  const errors = result.loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d, modelPath));
  return { error: errors.length > 0 ? errors.join('\n') : `${modelPath} cannot be trained` };
};

useKernelIn(__dirname);
const session = new BackpropDebugSession(openFromDisk, true);
process.on('SIGTERM', () => session.shutdown());
session.start(process.stdin, process.stdout);

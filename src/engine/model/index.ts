// The model-file API: parse and validate a *.backprop.json text, load its data and split.
export { parseModelFile, type ParsedModel } from './parse';
export { loadModel, loadModelAsync, DEFAULT_SEED, type LoadOptions, type LoadedModel, type TrainingData } from './load';
export { formatDiagnostic } from './format';
export { MAX_PARAMETERS } from '../limits';

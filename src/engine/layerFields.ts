// The one table of a layer's recorded quantities (DESIGN.md §3, LayerTrace): each field's name
// (the LayerRecord key and the tensor name's last part), its shape, which operation of the step
// computes it, and whether it is per sample of the batch or a parameter-sized tensor. The trace
// builder, the trace codec, the debugger's variables and the inspector's views read it from here,
// and `tensorName` is the one spelling of a tensor's name: `layers[l].field[i][j]`.
// No imports: the webview bundle uses this file too.

export type LayerFieldName =
  | 'input' | 'z' | 'a' | 'localGrad' | 'upstream' | 'delta'
  | 'weights' | 'bias' | 'gradWeights' | 'gradBias' | 'updateWeights' | 'updateBias' | 'weightsAfter' | 'biasAfter';

/** What a shape depends on: the batch rows, the layer's units and inputs, its activation. */
export interface LayerDimensions {
  rows: number;
  units: number;
  inputs: number;
  activation: string;
}

/**
 * Which operation of the step computes a field: the layer's forward or backward, the update, or
 * none (`given`: the parameters the step starts from). `upstream` of the output layer comes from
 * the loss and of a hidden layer from the backward of the layer above: `next layer`.
 */
export type ComputedBy = 'given' | 'forward' | 'backward' | 'next layer' | 'update';

export interface LayerField {
  name: LayerFieldName;
  /** `batch`: one row per sample of the batch; `parameter`: the shape of W or b. */
  kind: 'batch' | 'parameter';
  computedBy: ComputedBy;
  /** Where the field sits in a StepTrace layer (DESIGN.md §3): the update's tensors nest under `update`. */
  tracePath: string;
  shape(layer: LayerDimensions): number[];
}

const rowsByUnits = (l: LayerDimensions) => [l.rows, l.units];
const unitsByInputs = (l: LayerDimensions) => [l.units, l.inputs];
const perUnit = (l: LayerDimensions) => [l.units];

/** In the order of the StepTrace contract: forward values, gradients, parameters, the update. */
export const LAYER_FIELDS: readonly LayerField[] = [
  { name: 'input', kind: 'batch', tracePath: 'input', computedBy: 'forward', shape: (l) => [l.rows, l.inputs] },
  { name: 'z', kind: 'batch', tracePath: 'z', computedBy: 'forward', shape: rowsByUnits },
  { name: 'a', kind: 'batch', tracePath: 'a', computedBy: 'forward', shape: rowsByUnits },
  // f′(z) per unit; softmax couples its units, so its local gradient is a Jacobian per sample.
  { name: 'localGrad', kind: 'batch', tracePath: 'localGrad', computedBy: 'backward', shape: (l) => (l.activation === 'softmax' ? [l.rows, l.units, l.units] : [l.rows, l.units]) },
  { name: 'upstream', kind: 'batch', tracePath: 'upstream', computedBy: 'next layer', shape: rowsByUnits },
  { name: 'delta', kind: 'batch', tracePath: 'delta', computedBy: 'backward', shape: rowsByUnits },
  { name: 'weights', kind: 'parameter', tracePath: 'weights', computedBy: 'given', shape: unitsByInputs },
  { name: 'bias', kind: 'parameter', tracePath: 'bias', computedBy: 'given', shape: perUnit },
  { name: 'gradWeights', kind: 'parameter', tracePath: 'gradWeights', computedBy: 'backward', shape: unitsByInputs },
  { name: 'gradBias', kind: 'parameter', tracePath: 'gradBias', computedBy: 'backward', shape: perUnit },
  { name: 'updateWeights', kind: 'parameter', tracePath: 'update.weights', computedBy: 'update', shape: unitsByInputs },
  { name: 'updateBias', kind: 'parameter', tracePath: 'update.bias', computedBy: 'update', shape: perUnit },
  { name: 'weightsAfter', kind: 'parameter', tracePath: 'weightsAfter', computedBy: 'update', shape: unitsByInputs },
  { name: 'biasAfter', kind: 'parameter', tracePath: 'biasAfter', computedBy: 'update', shape: perUnit },
];

const BY_NAME = new Map(LAYER_FIELDS.map((field) => [field.name as string, field]));

/** The table's entry for `name`, or undefined for a name that is not a layer field. */
export function layerField(name: string): LayerField | undefined {
  return BY_NAME.get(name);
}

/** The shape of `field` in `layer`. */
export function layerFieldShape(layer: LayerDimensions, field: LayerFieldName): number[] {
  return BY_NAME.get(field)!.shape(layer);
}

/** `layers[l].field`, with `[i][j]…` for an element: the name of a tensor (or of one number of it) everywhere. */
export function tensorName(layer: number, field: string, ...indices: number[]): string {
  let name = `layers[${layer}].${field}`;
  for (const index of indices) name += `[${index}]`;
  return name;
}

/**
 * The StepTrace path of a layer field or of one number of it, as `node dist/cli.js run --json`
 * writes it: `layers[0].z[1][2]`, `layers[1].update.weights[0][3]`. The inspector's data-quantity.
 */
export function tracePath(layer: number, field: LayerFieldName, ...indices: number[]): string {
  let path = `layers[${layer}].${BY_NAME.get(field)!.tracePath}`;
  for (const index of indices) path += `[${index}]`;
  return path;
}

/** `layers[l].field` → its layer and field; undefined for any other text. */
export function parseTensorName(name: string): { layer: number; field: string } | undefined {
  const match = /^layers\[(\d{1,6})\]\.([A-Za-z]+)$/.exec(name);
  return match ? { layer: Number(match[1]), field: match[2] } : undefined;
}

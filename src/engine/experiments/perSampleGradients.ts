// Every sample's own gradient ∇ℓᵢ from one batched backward pass. J_data is the mean of the
// per-sample losses and backpropagation keeps the rows apart until ∂J/∂W = Σ_rows δᵀ·input, so
// row r's contribution, δ_r ⊗ input_r, is ∇ℓ_r / N: multiplying by N gives ∇ℓ_r itself.
import type { LossName } from '../types';
import { type Network, backwardLayer, forward, layerOffsets, outputLoss, parameterCount } from '../network';

/** rows × P, row r = ∇ℓ_r in parameters() order [W0, b0, W1, b1, ...] (data part only). */
export function perSampleGradients(net: Network, loss: LossName, x: Float64Array, y: Float64Array, rows: number): Float64Array {
  const width = parameterCount(net);
  const table = new Float64Array(rows * width);
  const offsets = layerOffsets(net);
  const passes = forward(net, x, rows);
  const out = outputLoss(net, { loss }, passes[passes.length - 1], y);
  let upstream = out.upstream;
  let delta: Float64Array | undefined = out.delta;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l];
    const { inputs, units } = layer;
    const back = backwardLayer(layer, passes[l], upstream, { delta, downstream: l > 0 });
    const input = passes[l].input;
    const biasAt = offsets[l] + layer.weights.length;
    for (let r = 0; r < rows; r++) {
      const row = r * width;
      for (let u = 0; u < units; u++) {
        const d = rows * back.delta[r * units + u];
        const weightsAt = row + offsets[l] + u * inputs;
        for (let i = 0; i < inputs; i++) table[weightsAt + i] = d * input[r * inputs + i];
        table[row + biasAt + u] = d;
      }
    }
    if (back.downstream) upstream = back.downstream;
    delta = undefined;
  }
  return table;
}

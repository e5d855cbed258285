// Residuals of the mse loss and their Jacobian, for Levenberg–Marquardt.
// J = (1/N) Σᵢ ‖yᵢ − tᵢ‖² + λ₂‖W‖² = Σ r² with r_(i,k) = (y_ik − t_ik)/√N for every sample and
// output, followed by r_w = √λ₂·w for every weight when λ₂ > 0. Row (i,k) of the Jacobian is
// ∂y_ik/∂θ / √N: the backward pass started from output k alone, kept per sample.
import { applyLocalGradient } from '../activations';
import { normalizeRegularization, type LossSpec } from '../losses';
import { backwardLayer, forward, layerOffsets, parameterCount, type Network } from '../network';

export interface ResidualJacobian {
  residuals: Float64Array; // R
  jacobian: Float64Array; // R × P, row-major, columns in parameter order [W0, b0, W1, b1, ...]
}

/** Why LM's residual form does not apply to this loss, or undefined when it does. */
export function residualFormProblem(lossSpec: LossSpec): string | undefined {
  if (lossSpec.loss !== 'mse') return `levenberg-marquardt needs loss "mse" (a sum of squares), got "${lossSpec.loss}"`;
  if (normalizeRegularization(lossSpec.regularization).l1 !== 0) {
    return 'levenberg-marquardt cannot use l1 regularization (|w| is not a sum of squares); use l2 or none';
  }
  return undefined;
}

export function residualJacobian(
  net: Network, lossSpec: LossSpec, x: Float64Array, t: Float64Array, rows: number,
): ResidualJacobian {
  const problem = residualFormProblem(lossSpec);
  if (problem) throw new Error(problem);
  const L = net.layers.length;
  const K = net.layers[L - 1].units;
  const l2 = normalizeRegularization(lossSpec.regularization).l2;
  const offsets = layerOffsets(net);
  const P = parameterCount(net);
  const weightCount = net.layers.reduce((s, layer) => s + layer.weights.length, 0);
  const dataResiduals = rows * K;
  const R = dataResiduals + (l2 > 0 ? weightCount : 0);
  const residuals = new Float64Array(R);
  const jacobian = new Float64Array(R * P);
  const scale = 1 / Math.sqrt(rows);

  const forwards = forward(net, x, rows);
  const output = forwards[L - 1];
  for (let j = 0; j < dataResiduals; j++) residuals[j] = (output.a[j] - t[j]) * scale;

  const last = net.layers[L - 1];
  for (let k = 0; k < K; k++) {
    // δ_L = ∂y_k/∂z_L per sample: the output activation's local gradient applied to e_k.
    const unit = new Float64Array(rows * K);
    for (let r = 0; r < rows; r++) unit[r * K + k] = 1;
    let delta = applyLocalGradient(last.activation, last.slope, output.z, output.a, unit, rows, K);
    for (let l = L - 1; l >= 0; l--) {
      const { inputs, units } = net.layers[l];
      const input = forwards[l].input;
      for (let r = 0; r < rows; r++) {
        const row = (r * K + k) * P + offsets[l];
        for (let u = 0; u < units; u++) {
          const d = delta[r * units + u] * scale;
          for (let i = 0; i < inputs; i++) jacobian[row + u * inputs + i] = d * input[r * inputs + i];
          jacobian[row + units * inputs + u] = d;
        }
      }
      if (l === 0) break;
      const below = net.layers[l - 1];
      const back = backwardLayer(net.layers[l], forwards[l], delta, { delta, downstream: true });
      delta = applyLocalGradient(below.activation, below.slope, forwards[l - 1].z, forwards[l - 1].a, back.downstream!, rows, below.units);
    }
  }

  if (l2 > 0) {
    const root = Math.sqrt(l2);
    let r = dataResiduals;
    net.layers.forEach((layer, l) => {
      for (let j = 0; j < layer.weights.length; j++, r++) {
        residuals[r] = root * layer.weights[j];
        jacobian[r * P + offsets[l] + j] = root;
      }
    });
  }
  return { residuals, jacobian };
}

// The exact Hessian of J by Pearlmutter's R-operator ("Fast exact multiplication by the
// Hessian", 1994). R{·} is the directional derivative along v = (V_l, c_l) for every layer:
//
//   forward   R{z_l} = V_l a_{l−1} + W_l R{a_{l−1}} + c_l,      R{a_l} = f′(z_l) ⊙ R{z_l}
//   output    R{δ_L} = (∂²J/∂z_L∂z_L) · R{z_L}                  (per sample; losses.outputHessianZ)
//   backward  R{g_{l−1}} = V_lᵀ δ_l + W_lᵀ R{δ_l}                (g = ∂J/∂a, the upstream)
//             R{δ_{l−1}} = f″(z_{l−1}) ⊙ R{z_{l−1}} ⊙ g_{l−1} + f′(z_{l−1}) ⊙ R{g_{l−1}}
//   result    (Hv)_{W_l} = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}} + 2λ₂V_l,   (Hv)_{b_l} = Σ_rows R{δ_l}
//
// One product costs about two gradient evaluations (O(N·P)); the P×P Hessian is P products with
// the unit vectors, O(N·P²), each skipping what is zero below the parameter's layer.
import { localGradient, secondDerivative } from '../activations';
import { normalizeRegularization, outputHessianZ, type LossSpec } from '../losses';
import { backwardLayer, forward, layerOffsets, outputLoss, parameterCount, type LayerForward, type Network } from '../network';

/** Everything the R-passes reuse from one ordinary forward and backward pass. */
interface Linearization {
  forwards: LayerForward[];
  deltas: Float64Array[]; // δ_l = ∂J/∂z_l, rows × units
  upstreams: Float64Array[]; // g_l = ∂J/∂a_l, rows × units
  firstDerivatives: Float64Array[]; // f′(z_l), hidden layers only
  secondDerivatives: Float64Array[]; // f″(z_l), hidden layers only
  outputCurvature: Float64Array; // ∂²J/∂z_L∂z_L, rows × K × K
}

function linearize(net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number): Linearization {
  const L = net.layers.length;
  net.layers.slice(0, L - 1).forEach((layer, l) => {
    if (layer.activation === 'softmax') {
      throw new Error(`layers[${l}].activation: the exact Hessian supports softmax only in the output layer`);
    }
  });
  const forwards = forward(net, x, rows);
  const last = net.layers[L - 1];
  const out = outputLoss(net, lossSpec, forwards[L - 1], y);
  const deltas: Float64Array[] = new Array(L);
  const upstreams: Float64Array[] = new Array(L);
  upstreams[L - 1] = out.upstream;
  let given: Float64Array | undefined = out.delta;
  for (let l = L - 1; l >= 0; l--) {
    const back = backwardLayer(net.layers[l], forwards[l], upstreams[l], { delta: given, downstream: l > 0 });
    deltas[l] = back.delta;
    if (l > 0) upstreams[l - 1] = back.downstream!;
    given = undefined;
  }
  const firstDerivatives: Float64Array[] = [];
  const secondDerivatives: Float64Array[] = [];
  for (let l = 0; l < L - 1; l++) {
    const { activation, slope, units } = net.layers[l];
    const { z, a } = forwards[l];
    firstDerivatives.push(localGradient(activation, slope, z, a, rows, units));
    secondDerivatives.push(secondDerivative(activation, slope, z, a, rows, units));
  }
  const outputCurvature = outputHessianZ(
    lossSpec.loss, last.activation, last.slope, forwards[L - 1].z, forwards[L - 1].a, y, out.upstream, rows, last.units,
  );
  return { forwards, deltas, upstreams, firstDerivatives, secondDerivatives, outputCurvature };
}

/**
 * The exact Hessian ∂²J/∂θ∂θ of J = data loss + regularization on (x, y), row-major P×P over
 * the parameters flattened in the order [W0, b0, W1, b1, ...]. Row k is (H·e_k)ᵀ, one R-pass per
 * unit vector; the matrix is not symmetrized, so its symmetry is a check of the computation.
 * λ₁|w| contributes 0 (its second derivative away from the kink).
 */
export function exactHessian(net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number): Float64Array {
  const lin = linearize(net, lossSpec, x, y, rows);
  const l2 = normalizeRegularization(lossSpec.regularization).l2;
  const offsets = layerOffsets(net);
  const P = parameterCount(net);
  const H = new Float64Array(P * P);
  const pass = new UnitDirectionPass(net, lin, rows, offsets);
  let k = 0;
  net.layers.forEach((layer, l) => {
    for (let j = 0; j < layer.weights.length + layer.bias.length; j++, k++) {
      const row = H.subarray(k * P, (k + 1) * P);
      pass.run(l, j, row);
      if (l2 !== 0 && j < layer.weights.length) row[k] += 2 * l2;
    }
  });
  return H;
}

/**
 * H·e_k for the unit vector of one parameter, with buffers allocated once for all P passes.
 * The direction is non-zero in one layer l only, so below l every R{z}, R{a} is 0 and at l
 * R{z_l} is a single column (the input feeding that weight, or 1 for a bias).
 */
class UnitDirectionPass {
  private readonly rz: Float64Array[]; // R{z_m}, rows × units
  private readonly ra: Float64Array[]; // R{a_m}, hidden layers
  private readonly rDelta: Float64Array[]; // R{δ_m}; first holds R{g_m} while it is accumulated

  constructor(
    private readonly net: Network,
    private readonly lin: Linearization,
    private readonly rows: number,
    private readonly offsets: number[],
  ) {
    this.rz = net.layers.map((layer) => new Float64Array(rows * layer.units));
    this.ra = net.layers.map((layer) => new Float64Array(rows * layer.units));
    this.rDelta = net.layers.map((layer) => new Float64Array(rows * layer.units));
  }

  /** Adds H·e into `out` (length P) for e = the j-th entry of layer l's [weights, bias]. */
  run(l: number, j: number, out: Float64Array): void {
    const { net, lin, rows, rz, ra, rDelta } = this;
    const L = net.layers.length;
    const here = net.layers[l];
    const isWeight = j < here.weights.length;
    const unit = isWeight ? Math.floor(j / here.inputs) : j - here.weights.length;
    const input = isWeight ? j % here.inputs : -1;

    // Forward. Layer l: R{z_l} = e_unit · (x_input or 1).
    {
      const z = rz[l];
      z.fill(0);
      const from = lin.forwards[l].input;
      for (let r = 0; r < rows; r++) z[r * here.units + unit] = isWeight ? from[r * here.inputs + input] : 1;
    }
    for (let m = l; m < L; m++) {
      const { units } = net.layers[m];
      if (m > l) {
        const { inputs, weights } = net.layers[m];
        const z = rz[m];
        const below = ra[m - 1];
        if (m === l + 1) {
          // R{a_l} has the one column `unit`.
          for (let r = 0; r < rows; r++) {
            const s = below[r * inputs + unit];
            for (let u = 0; u < units; u++) z[r * units + u] = weights[u * inputs + unit] * s;
          }
        } else {
          for (let r = 0; r < rows; r++) {
            const rowIn = r * inputs;
            for (let u = 0; u < units; u++) {
              const rowW = u * inputs;
              let sum = 0;
              for (let i = 0; i < inputs; i++) sum += weights[rowW + i] * below[rowIn + i];
              z[r * units + u] = sum;
            }
          }
        }
      }
      if (m < L - 1) {
        const fp = lin.firstDerivatives[m];
        const z = rz[m];
        const a = ra[m];
        for (let e = 0; e < a.length; e++) a[e] = fp[e] * z[e];
      }
    }

    // Output: R{δ_L} = H_z · R{z_L} per sample.
    {
      const K = net.layers[L - 1].units;
      const z = rz[L - 1];
      const d = rDelta[L - 1];
      const curvature = lin.outputCurvature;
      for (let r = 0; r < rows; r++) {
        const block = r * K * K;
        for (let a = 0; a < K; a++) {
          let sum = 0;
          for (let b = 0; b < K; b++) sum += curvature[block + a * K + b] * z[r * K + b];
          d[r * K + a] = sum;
        }
      }
    }

    // Backward: (Hv)_{W_m} = R{δ_m}ᵀ a_{m−1} + δ_mᵀ R{a_{m−1}}, (Hv)_{b_m} = Σ_rows R{δ_m}.
    for (let m = L - 1; m >= 0; m--) {
      const { inputs, units, weights } = net.layers[m];
      const from = lin.forwards[m].input;
      const rd = rDelta[m];
      const delta = lin.deltas[m];
      const wOffset = this.offsets[m];
      const bOffset = wOffset + units * inputs;
      const raBelow = m - 1 >= l ? ra[m - 1] : null; // R{a_{m−1}} is 0 at and below layer l
      for (let r = 0; r < rows; r++) {
        const rowIn = r * inputs;
        for (let u = 0; u < units; u++) {
          const rdu = rd[r * units + u];
          out[bOffset + u] += rdu;
          const base = wOffset + u * inputs;
          if (raBelow) {
            const du = delta[r * units + u];
            for (let i = 0; i < inputs; i++) out[base + i] += rdu * from[rowIn + i] + du * raBelow[rowIn + i];
          } else if (rdu !== 0) {
            for (let i = 0; i < inputs; i++) out[base + i] += rdu * from[rowIn + i];
          }
        }
      }
      if (m === 0) break;

      // R{g_{m−1}} = V_mᵀ δ_m + W_mᵀ R{δ_m}, then R{δ_{m−1}} = f″ ⊙ R{z_{m−1}} ⊙ g_{m−1} + f′ ⊙ R{g_{m−1}}.
      const next = rDelta[m - 1];
      next.fill(0);
      for (let r = 0; r < rows; r++) {
        const rowIn = r * inputs;
        for (let u = 0; u < units; u++) {
          const rdu = rd[r * units + u];
          if (rdu === 0) continue;
          const rowW = u * inputs;
          for (let i = 0; i < inputs; i++) next[rowIn + i] += weights[rowW + i] * rdu;
        }
      }
      if (m === l && isWeight) for (let r = 0; r < rows; r++) next[r * inputs + input] += delta[r * units + unit];
      const fp = lin.firstDerivatives[m - 1];
      if (m - 1 >= l) {
        const fpp = lin.secondDerivatives[m - 1];
        const g = lin.upstreams[m - 1];
        const z = rz[m - 1];
        for (let e = 0; e < next.length; e++) next[e] = fp[e] * next[e] + fpp[e] * z[e] * g[e];
      } else {
        for (let e = 0; e < next.length; e++) next[e] *= fp[e];
      }
    }
  }
}

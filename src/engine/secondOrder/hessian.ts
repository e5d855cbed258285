// The exact Hessian of J by Pearlmutter's R-operator ("Fast exact multiplication by the
// Hessian", 1994). R{·} is the directional derivative along v = (V_l, c_l) for every layer:
//
//   forward   R{z_l} = V_l a_{l−1} + W_l R{a_{l−1}} + c_l,      R{a_l} = f′(z_l) ⊙ R{z_l}
//   output    R{δ_L} = (∂²J/∂z_L∂z_L) · R{z_L}                  (per sample; losses.outputHessianZ)
//   backward  R{g_{l−1}} = V_lᵀ δ_l + W_lᵀ R{δ_l}                (g = ∂J/∂a, the upstream)
//             R{δ_{l−1}} = f″(z_{l−1}) ⊙ R{z_{l−1}} ⊙ g_{l−1} + f′(z_{l−1}) ⊙ R{g_{l−1}}
//   result    (Hv)_{W_l} = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}} + 2λ₂V_l,   (Hv)_{b_l} = Σ_rows R{δ_l}
//
// One product costs a few gradient evaluations; the P×P Hessian is P products with the unit
// vectors, whose zero blocks are skipped (below a parameter's layer R{a} = 0).
import { localGradient, secondDerivative } from '../activations';
import { normalizeRegularization, outputHessianZ, type LossSpec } from '../losses';
import { backwardLayer, forward, outputLoss, type LayerForward, type Network } from '../network';

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

const isZero = (v: Float64Array): boolean => v.every((e) => e === 0);

/** H·v, with v and the result shaped like parameters(net) ([V0, c0, V1, c1, ...]). */
function hessianVectorProduct(net: Network, lin: Linearization, l2: number, rows: number, v: Float64Array[]): Float64Array[] {
  const L = net.layers.length;
  const active = net.layers.map((_layer, l) => !isZero(v[2 * l]) || !isZero(v[2 * l + 1]));

  // Forward: R{z_l}, and R{a_l} for hidden layers (null while still zero).
  const rz: (Float64Array | null)[] = new Array(L).fill(null);
  const ra: (Float64Array | null)[] = new Array(L).fill(null);
  let raBelow: Float64Array | null = null;
  for (let l = 0; l < L; l++) {
    const { inputs, units, weights } = net.layers[l];
    if (!active[l] && raBelow === null) continue;
    const input = lin.forwards[l].input;
    const V = v[2 * l];
    const c = v[2 * l + 1];
    const out = new Float64Array(rows * units);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        let sum = 0;
        if (active[l]) {
          sum = c[u];
          for (let i = 0; i < inputs; i++) sum += V[u * inputs + i] * input[r * inputs + i];
        }
        if (raBelow) for (let i = 0; i < inputs; i++) sum += weights[u * inputs + i] * raBelow[r * inputs + i];
        out[r * units + u] = sum;
      }
    }
    rz[l] = out;
    if (l < L - 1) {
      const fp = lin.firstDerivatives[l];
      ra[l] = out.map((value, j) => fp[j] * value);
      raBelow = ra[l];
    }
  }

  // Output: R{δ_L} = H_z · R{z_L} per sample.
  const K = net.layers[L - 1].units;
  const rzL = rz[L - 1]!;
  let rDelta = new Float64Array(rows * K);
  for (let r = 0; r < rows; r++) {
    const block = r * K * K;
    for (let j = 0; j < K; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += lin.outputCurvature[block + j * K + k] * rzL[r * K + k];
      rDelta[r * K + j] = sum;
    }
  }

  // Backward.
  const result: Float64Array[] = new Array(2 * L);
  for (let l = L - 1; l >= 0; l--) {
    const { inputs, units, weights } = net.layers[l];
    const input = lin.forwards[l].input;
    const raInput = l > 0 ? ra[l - 1] : null;
    const delta = lin.deltas[l];
    const hW = new Float64Array(units * inputs);
    const hb = new Float64Array(units);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) {
        const rd = rDelta[r * units + u];
        const d = delta[r * units + u];
        hb[u] += rd;
        for (let i = 0; i < inputs; i++) {
          let term = rd * input[r * inputs + i];
          if (raInput) term += d * raInput[r * inputs + i];
          hW[u * inputs + i] += term;
        }
      }
    }
    if (l2 !== 0) for (let j = 0; j < hW.length; j++) hW[j] += 2 * l2 * v[2 * l][j];
    result[2 * l] = hW;
    result[2 * l + 1] = hb;
    if (l === 0) break;

    // R{g_{l−1}} = V_lᵀ δ_l + W_lᵀ R{δ_l}, then R{δ_{l−1}}.
    const V = v[2 * l];
    const g = lin.upstreams[l - 1];
    const fp = lin.firstDerivatives[l - 1];
    const fpp = lin.secondDerivatives[l - 1];
    const rzBelow = rz[l - 1];
    const next = new Float64Array(rows * inputs);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < inputs; i++) {
        let rg = 0;
        for (let u = 0; u < units; u++) {
          rg += weights[u * inputs + i] * rDelta[r * units + u];
          if (active[l]) rg += V[u * inputs + i] * delta[r * units + u];
        }
        const j = r * inputs + i;
        next[j] = fp[j] * rg + (rzBelow ? fpp[j] * rzBelow[j] * g[j] : 0);
      }
    }
    rDelta = next;
  }
  return result;
}

/**
 * The exact Hessian ∂²J/∂θ∂θ of J = data loss + regularization on (x, y), row-major P×P over
 * the parameters flattened in the order [W0, b0, W1, b1, ...]. Column k is H·e_k; the matrix is
 * not symmetrized, so its symmetry is a check of the computation. λ₁|w| contributes 0 (its
 * second derivative away from the kink).
 */
export function exactHessian(net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number): Float64Array {
  const lin = linearize(net, lossSpec, x, y, rows);
  const l2 = normalizeRegularization(lossSpec.regularization).l2;
  const sizes = net.layers.flatMap((layer) => [layer.weights.length, layer.bias.length]);
  const P = sizes.reduce((a, b) => a + b, 0);
  const H = new Float64Array(P * P);
  const v = sizes.map((n) => new Float64Array(n));
  let column = 0;
  sizes.forEach((n, block) => {
    for (let j = 0; j < n; j++, column++) {
      v[block][j] = 1;
      const hv = hessianVectorProduct(net, lin, l2, rows, v);
      v[block][j] = 0;
      let row = 0;
      for (const part of hv) for (let e = 0; e < part.length; e++, row++) H[row * P + column] = part[e];
    }
  });
  return H;
}

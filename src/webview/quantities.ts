// What each quantity on screen is: its title and its meaning with the lecture's formula (the
// tooltip of its name wherever it is shown: layer detail, the network's legend, the loss figures).
// The English text is the l10n key (webviewStrings.ts; Korean in l10n/bundle.l10n.ko.json).
// The lecture writes n_m for a unit's weighted sum, h_m for its output and x_n for an input;
// these views write z, a and x, and the meanings say which is which.
import type { LayerFieldName } from '../engine/layerFields';
import type { WebviewString } from '../protocol/webviewStrings';

export interface Quantity {
  title: WebviewString;
  meaning: WebviewString;
  /**
   * Quantities of one kind share one colour scale across the boxes of the layer detail (a heatmap
   * of z and one of a compare by colour); each kind is a different unit of measure.
   */
  kind: 'value' | 'local' | 'gradient' | 'parameter' | 'update';
  /**
   * For a per-sample field, what its batch mean is: a mean does not keep every relation the
   * sample's value sits in (the mean of f(zᵢ) is not f(z̄)), so the title says the one it keeps.
   */
  meanTitle?: WebviewString;
}

export const LAYER_QUANTITIES: Record<LayerFieldName, Quantity> = {
  input: { title: 'input', meanTitle: 'batch mean x̄ = (1/N) Σᵢ xᵢ', kind: 'value', meaning: 'The layer\'s input x: the data for the first layer, the previous layer\'s activation a otherwise (the lecture\'s xₙ).' },
  z: { title: 'pre-activation z = W·x + b', meanTitle: 'batch mean z̄ = W·x̄ + b', kind: 'value', meaning: 'Pre-activation zₘ = Σₙ wₙₘ·xₙ + bₘ: the weighted sum unit m computes before its activation (the lecture\'s nₘ).' },
  a: { title: 'activation a = f(z)', meanTitle: 'batch mean ā = (1/N) Σᵢ f(zᵢ), not f(z̄)', kind: 'value', meaning: 'Activation a = f(z): the unit\'s output, the next layer\'s input (the lecture\'s hₘ, and y at the output).' },
  localGrad: { title: 'local gradient f′(z)', meanTitle: 'batch mean (1/N) Σᵢ f′(zᵢ), not f′(z̄)', kind: 'local', meaning: 'Local gradient f′(z) = ∂a/∂z: how fast the unit\'s output changes with z (the lecture\'s ∂hₘ/∂nₘ, e.g. ReLU′(nₘ)). Near 0 the gradient stops here.' },
  upstream: { title: 'upstream ∂J/∂a', meanTitle: 'batch mean (1/N) Σᵢ ∂J/∂aᵢ', kind: 'gradient', meaning: 'Upstream gradient ∂J/∂aₘ: how the batch loss J changes with unit m\'s output; for a hidden layer Σₖ wₘₖ·δₖ over the units k above.' },
  delta: { title: 'delta ∂J/∂z', meanTitle: 'batch mean δ̄ = (1/N) Σᵢ δᵢ: N·δ̄ = ∂J/∂b', kind: 'gradient', meaning: 'Delta δ = ∂J/∂z = ∂J/∂a · f′(z): the unit\'s error signal, computed once and shared by all of its weights (the lecture\'s ∂J/∂nₘ). Per sample, it already carries J\'s 1/N.' },
  weights: { title: 'W before the update', kind: 'parameter', meaning: 'Weights W before this step\'s update; wₙₘ connects input n to unit m (row m, column n, counted from 1).' },
  gradWeights: { title: 'weight gradient ∂J/∂W = Σᵢ δᵢ·xᵢᵀ (+ regularization), whole batch', kind: 'gradient', meaning: 'Weight gradient ∂J/∂wₙₘ = Σ over the batch of δₘ·xₙ (plus the regularization part): the chain rule\'s last factor ∂z/∂w is the input x.' },
  updateWeights: { title: 'update ΔW', kind: 'update', meaning: 'Update ΔW = W⁺ − W, the optimizer\'s step; plain gradient descent takes ΔW = −α·∂J/∂W (the lecture\'s θ⁺ = θ − α·∂J/∂θ).' },
  weightsAfter: { title: 'W after the update', kind: 'parameter', meaning: 'Weights after the update: W⁺ = W + ΔW, the next step\'s W.' },
  bias: { title: 'b before the update', kind: 'parameter', meaning: 'Bias b before this step\'s update: added to the weighted sum, z = W·x + b.' },
  gradBias: { title: 'bias gradient ∂J/∂b = Σᵢ δᵢ, whole batch', kind: 'gradient', meaning: 'Bias gradient ∂J/∂bⱼ = Σ over the batch of δⱼ, since ∂z/∂b = 1 (regularization covers weights only).' },
  updateBias: { title: 'update Δb', kind: 'update', meaning: 'Update Δb = b⁺ − b; plain gradient descent takes Δb = −α·∂J/∂b.' },
  biasAfter: { title: 'b after the update', kind: 'parameter', meaning: 'Bias after the update: b⁺ = b + Δb, the next step\'s b.' },
};

/** Scalars of the loss view, by the id of the element showing them. */
export const LOSS_QUANTITIES = {
  before: { title: 'Batch loss before the update', meaning: 'J = (1/N) Σᵢ L(yᵢ, tᵢ) + regularization: the mean loss of this mini-batch with the weights before the update (the lecture\'s J).' },
  after: { title: 'Batch loss after the update', meaning: 'J after = J(W⁺, b⁺) on the same batch, with the weights after the update: did this step lower the loss on the data it learned from?' },
  delta: { title: 'ΔJ', meaning: 'ΔJ = J after − J before. Negative: the step went downhill. Positive: the learning rate may be too large.' },
  data: { title: 'data loss', meaning: 'The loss function\'s part of J: (1/N) Σᵢ L(yᵢ, tᵢ), e.g. MSE (1/N) Σᵢ ‖yᵢ − tᵢ‖².' },
  reg: { title: 'regularization', meaning: 'The penalty on the weights, λ₁‖W‖₁ + λ₂‖W‖₂², added to J; its derivative pulls each weight towards 0.' },
} as const satisfies Record<string, { title: WebviewString; meaning: WebviewString }>;

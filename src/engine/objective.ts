// The Objective of the second-order and quasi-Newton methods: J and its derivatives on the
// whole training set, evaluated at any parameter values without touching the live network.
import type { Objective } from './optimizers/optimizer';
import type { LossSpec } from './losses';
import { cloneNetwork, lossAndGradients, setParameters, type Network } from './network';
import { exactHessian } from './secondOrder/hessian';
import { residualFormProblem, residualJacobian } from './secondOrder/jacobian';

export interface TrainingSet {
  x: Float64Array; // rows × inputs
  y: Float64Array; // rows × outputs
  rows: number;
}

export function createObjective(net: Network, lossSpec: LossSpec, data: TrainingSet): Objective {
  // One private copy whose arrays are overwritten for each evaluation.
  const scratch = cloneNetwork(net);
  const at = (params: Float64Array[]): Network => {
    setParameters(scratch, params);
    return scratch;
  };
  const { x, y, rows } = data;
  const objective: Objective = {
    evaluate: (params) => {
      const { loss, grads } = lossAndGradients(at(params), lossSpec, x, y, rows);
      return { loss, grads };
    },
    hessian: (params) => exactHessian(at(params), lossSpec, x, y, rows),
  };
  if (!residualFormProblem(lossSpec)) {
    objective.residuals = (params) => residualJacobian(at(params), lossSpec, x, y, rows);
  }
  return objective;
}

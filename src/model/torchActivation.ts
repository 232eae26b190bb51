/**
 * The activation of a PyTorch Sequential ↔ the one σ of a splitscape model kind: read from the
 * activation layers (all must agree; nothing between two layers is the identity, `linear`),
 * written back as an ARCH layer and a torch.nn module. Shared by torchModel.ts (Linear chains)
 * and torchConv.ts (convolutions).
 */
import { InputError } from "../common/errors.js";
import type { ActivationSpec, LayerSpec } from "../io/index.js";
import { makeActivation, sameActivation, type Activation } from "./activations.js";

/**
 * The one hidden activation of `activations` (null: nothing there, the identity); InputError
 * naming the layers when two differ or a name is unknown. No activation at all: linear.
 */
export function sharedActivation(activations: readonly (ActivationSpec | null)[], source: string): Activation {
  let shared: Activation | null = null;
  let first = "";
  for (const a of activations) {
    let act: Activation;
    try {
      act = a === null ? makeActivation("linear") : makeActivation(a.activation, a.param);
    } catch (err) {
      throw new InputError(source, `layer ${a!.key} (${a!.text}): ${(err as Error).message}`);
    }
    const text = a === null ? "nothing (identity)" : `${a.text} at ${a.key}`;
    if (shared === null) {
      shared = act;
      first = text;
    } else if (!sameActivation(shared, act)) {
      throw new InputError(source, `the hidden layers use different activations (${first}, ${text}); splitscape's model kinds have one activation`);
    }
  }
  return shared ?? makeActivation("linear");
}

/** The layer of σ at module `key`: an activation, or Identity for σ = linear. */
export function activationLayer(act: Activation, key: string): LayerSpec {
  if (act.name === "linear") return { kind: "identity", key, text: "identity" };
  const param = act.name === "leaky_relu" ? act.slope : act.name === "relu_power" ? act.power : undefined;
  return { kind: "activation", key, activation: act.name, param, text: act.name };
}

/** PyTorch modules of the activations that torch.nn has. */
const TORCH_MODULES: Readonly<Record<string, string>> = {
  relu: "nn.ReLU()", tanh: "nn.Tanh()", sigmoid: "nn.Sigmoid()", softplus: "nn.Softplus()", gelu: "nn.GELU()", swish: "nn.SiLU()", linear: "nn.Identity()",
};

/** The torch.nn module of σ ("nn.LeakyReLU(0.05)"), or null when torch.nn has none (relu_power, erf). */
export function torchActivationModule(act: Activation): string | null {
  return act.name === "leaky_relu" ? `nn.LeakyReLU(${act.slope})` : TORCH_MODULES[act.name] ?? null;
}

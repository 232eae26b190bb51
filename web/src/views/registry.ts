// The views of the lab, in tab order. A view is available when the library has what it needs;
// a planned one would be listed (a disabled tab with the reason) so the page says what is
// coming instead of faking it; none is planned now (the slices are panels of Train and Plateau). To add a view: write views/<Name>View.tsx, its fields in
// state/fields.ts, and one entry here.
import type { ComponentType } from "preact";
import type { EnvironmentInfo } from "../engine/engine.js";
import type { LabState, FieldValue } from "../state/codec.js";
import type { ViewId } from "../state/fields.js";

export interface ViewProps {
  state: LabState;
  /** Replace some values of the view's state (the URL follows). */
  set: (values: Record<string, FieldValue>) => void;
  env: EnvironmentInfo | null;
}

export interface ViewEntry {
  id: ViewId;
  title: string;
  /** One line under the tab bar. */
  summary: string;
  /** Loaded on demand (keeps the first paint small). */
  load?: () => Promise<ComponentType<ViewProps>>;
  /** Why the view is not available yet (planned views only). */
  planned?: string;
}

export const VIEWS: ViewEntry[] = [
  {
    id: "train", title: "Train",
    summary: "A network trains live on 2-D data in float64: loss on log axes, decision heatmap, neuron directions.",
    load: () => import("./TrainView.js").then((m) => m.TrainView),
  },
  {
    id: "split", title: "Split",
    summary: "Split a neuron: the narrow and the wide network train side by side and stay embedded, ‖η − Tθ‖ at rounding level.",
    load: () => import("./SplitView.js").then((m) => m.SplitView),
  },
  {
    id: "smallinit", title: "Small init",
    summary: "From δ down to 1e-80: neurons align with KKT points of the NCF while small, then escape when predicted.",
    load: () => import("./SmallInitView.js").then((m) => m.SmallInitView),
  },
  {
    id: "convex", title: "Convex",
    summary: "The certified global optimum of weight-decayed ReLU training beside a trained network and its certificate.",
    load: () => import("./ConvexView.js").then((m) => m.ConvexView),
  },
  {
    id: "plateau", title: "Plateau",
    summary: "Split a neuron of a smooth network at a stationary point: which points of the plateau are minima, which saddles.",
    load: () => import("./PlateauView.js").then((m) => m.PlateauView),
  },
  {
    id: "inspect", title: "Inspect",
    summary: "Drop a trained network (model JSON or PyTorch safetensors) and its data: the report card of `splitscape inspect`, every verdict with its certificate.",
    load: () => import("./InspectView.js").then((m) => m.InspectView),
  },
];

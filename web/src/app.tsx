// The lab's shell: the tab bar (views/registry.ts), the environment line (cross-origin isolation,
// kernels), problems found in the URL, and the current view. The state lives in the URL: every
// change replaces the query string; switching views pushes a history entry.
import { Component, type ComponentChildren, type ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorText, getEngine } from "./client.js";
import type { EnvironmentInfo } from "./engine/engine.js";
import { decodeState, defaultState, encodeState, type FieldValue, type LabState } from "./state/codec.js";
import type { ViewId } from "./state/fields.js";
import { ErrorBox } from "./ui/common.js";
import { VIEWS, type ViewProps } from "./views/registry.js";

/** Catches a render error: the page shows it instead of going blank. */
class Boundary extends Component<{ children: ComponentChildren }, { error: string | null }> {
  override state = { error: null as string | null };
  override componentDidCatch(e: unknown): void {
    this.setState({ error: errorText(e) });
  }
  override render() {
    return this.state.error !== null ? <ErrorBox title="The view failed" error={this.state.error} /> : this.props.children;
  }
}

function EnvironmentLine({ env, error }: { env: EnvironmentInfo | null; error: string | null }) {
  if (error !== null) return <ErrorBox title="The worker failed to start" error={error} />;
  if (env === null) return <p class="env" role="status">starting the worker…</p>;
  const isolated = env.crossOriginIsolated && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return (
    <p class="env" id="env" data-isolated={String(isolated)}>
      splitscape {env.version} · float64 · GEMM: {env.gemm} ·{" "}
      {isolated
        ? "cross-origin isolated: shared wasm memory available (the cone kernel of the convex solver runs in wasm)"
        : "not cross-origin isolated (a plain static host): single-threaded, the convex solver's cone projections use the TypeScript engine — same results, slower"}
    </p>
  );
}

export function App() {
  const [{ state, problems }, setDecoded] = useState(() => decodeState(location.search));
  const [env, setEnv] = useState<EnvironmentInfo | null>(null);
  const [envError, setEnvError] = useState<string | null>(null);
  const [views, setViews] = useState<Partial<Record<string, ComponentType<ViewProps>>>>({});

  useEffect(() => {
    getEngine().environment().then(setEnv, (e) => setEnvError(errorText(e)));
    const pop = (): void => setDecoded(decodeState(location.search));
    window.addEventListener("popstate", pop);
    return () => window.removeEventListener("popstate", pop);
  }, []);
  useEffect(() => {
    const entry = VIEWS.find((x) => x.id === state.view);
    if (entry?.load && views[state.view] === undefined) {
      entry.load().then((C) => setViews((v) => ({ ...v, [state.view]: C })), (e) => setEnvError(errorText(e)));
    }
  }, [state.view]);

  const update = (next: LabState, push: boolean): void => {
    const url = `${location.pathname}${encodeState(next)}`;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
    setDecoded({ state: next, problems: [] });
  };
  const set = (values: Record<string, FieldValue>): void => update({ view: state.view, values: { ...state.values, ...values } }, false);
  const go = (id: ViewId): void => { if (id !== state.view) update(defaultState(id), true); };
  useEffect(() => { if (location.search !== encodeState(state)) history.replaceState(null, "", `${location.pathname}${encodeState(state)}`); }, []);

  const entry = VIEWS.find((x) => x.id === state.view)!;
  const View = views[state.view];
  return (
    <>
      <header>
        <h1>splitscape lab</h1>
        <nav aria-label="views">
          <ul class="tabs" role="list">
            {VIEWS.map((x) => (
              <li key={x.id}>
                {x.planned !== undefined
                  ? <button type="button" class="tab" disabled aria-disabled="true" title={x.planned}>{x.title} <small>(planned)</small></button>
                  : <button type="button" class="tab" id={`tab-${x.id}`} aria-current={x.id === state.view ? "page" : undefined} onClick={() => go(x.id as ViewId)}>{x.title}</button>}
              </li>
            ))}
          </ul>
        </nav>
        <EnvironmentLine env={env} error={envError} />
      </header>
      <main>
        <p class="summary">{entry.summary}</p>
        {problems.length > 0 && <ErrorBox title="Link" error={problems.join("; ")} />}
        {entry.planned !== undefined
          ? <p class="note">{entry.title} {entry.planned}.</p>
          : View === undefined ? <p role="status">loading the view…</p>
            : <Boundary key={state.view}><View state={state} set={set} env={env} /></Boundary>}
      </main>
    </>
  );
}

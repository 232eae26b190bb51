import * as Comlink from "comlink";
const w = Comlink.wrap<{ ping(): number[]; svg(): string }>(new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }));
void w.ping().then((x) => { document.getElementById("boot")!.textContent = JSON.stringify(x); });
void w.svg().then((s) => { document.body.insertAdjacentHTML("beforeend", s); });

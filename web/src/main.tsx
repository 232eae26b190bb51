// Entry of the page: render the app; an error before or outside the app is shown, never a blank page.
import { render } from "preact";
import { App } from "./app.js";
import "./style.css";

const root = document.getElementById("app")!;
function fatal(message: string): void {
  const box = document.createElement("div");
  box.className = "error";
  box.setAttribute("role", "alert");
  box.textContent = `The lab failed: ${message}`;
  document.body.prepend(box);
}
window.addEventListener("error", (e) => fatal(e.message));
window.addEventListener("unhandledrejection", (e) => fatal(e.reason instanceof Error ? e.reason.message : String(e.reason)));
try {
  root.textContent = "";
  render(<App />, root);
} catch (e) {
  fatal(e instanceof Error ? e.message : String(e));
}

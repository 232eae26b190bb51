import { EXIT_INTERRUPTED } from "./exitCodes.js";

/**
 * Ctrl-C (SIGINT) for the commands that write run folders (train, run, sweep, tour). While such
 * a command runs, the first SIGINT aborts its AbortSignal: the library stops the work (the
 * computation runs on a worker thread, so the main thread is free to hear the signal), keeps
 * what was computed, marks the folder INCOMPLETE with the reason and throws InterruptedError;
 * the CLI then prints one line naming the folder and exits with 130. A second SIGINT exits at
 * once (130), leaving the folder as it is — still marked INCOMPLETE.
 */

/** Run `body` with an AbortSignal that SIGINT aborts; the handler is removed afterwards. */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    return await body(controller.signal);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

// The computed views (Small init, Convex, Plateau): one engine call per configuration, with a
// "computing" state; a newer configuration supersedes an older call's answer.
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../client.js";

export function useComputed<T>(key: string, compute: () => Promise<T>): { result: T | null; error: string | null; busy: boolean } {
  const [out, setOut] = useState<{ result: T | null; error: string | null; busy: boolean }>({ result: null, error: null, busy: true });
  useEffect(() => {
    let live = true;
    setOut((o) => ({ ...o, busy: true }));
    compute().then(
      (result) => { if (live) setOut({ result, error: null, busy: false }); },
      (e) => { if (live) setOut({ result: null, error: errorText(e), busy: false }); },
    );
    return () => { live = false; };
  }, [key]);
  return out;
}

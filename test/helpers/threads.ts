// Thread-count helpers of the tests that check the threaded kernels bitwise against one thread.

/**
 * Run f with SPLITSCAPE_THREADS set to `threads` (unset when undefined), restoring the previous
 * value afterwards, also when f throws.
 */
export function withThreads<T>(threads: string | undefined, f: () => T): T {
  const saved = process.env.SPLITSCAPE_THREADS;
  if (threads === undefined) delete process.env.SPLITSCAPE_THREADS;
  else process.env.SPLITSCAPE_THREADS = threads;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.SPLITSCAPE_THREADS;
    else process.env.SPLITSCAPE_THREADS = saved;
  }
}

/** The IEEE-754 bit patterns of x, for bitwise comparisons that also tell −0 from 0 and NaNs apart. */
export function bits(x: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(x.slice().buffer));
}

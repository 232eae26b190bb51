/** The splitscape version, recorded in every run folder's spec.json. Kept equal to package.json (tested). */
export const VERSION = "0.1.0";

// Stand-in for @resvg/resvg-js (a native PNG rasteriser): the lab shows SVG, never PNG.
export class Resvg {
  constructor() {
    throw new Error("PNG rendering (resvg) is not available in the browser; the lab renders SVG");
  }
}

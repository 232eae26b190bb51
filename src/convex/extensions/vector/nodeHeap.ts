// The live spherical simplices of the branch and bound of vectorDualNorm, as a max-heap by their
// upper bound.

/** A spherical simplex of one pattern: r unit vertices, the values h at them and an upper bound on h over its image. */
export interface SimplexNode {
  readonly pattern: number;
  /** r unit vertices, r×r row-major. */
  readonly verts: Float64Array;
  readonly vals: Float64Array;
  readonly ub: number;
}

/** Max-heap of nodes by ub (binary heap in an array; `items` is every live node, in heap order). */
export class NodeHeap {
  readonly items: SimplexNode[] = [];

  push(x: SimplexNode): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].ub >= a[i].ub) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  pop(): SimplexNode | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let b = i;
        if (l < a.length && a[l].ub > a[b].ub) b = l;
        if (r < a.length && a[r].ub > a[b].ub) b = r;
        if (b === i) break;
        [a[b], a[i]] = [a[i], a[b]];
        i = b;
      }
    }
    return top;
  }

  peek(): SimplexNode | undefined {
    return this.items[0];
  }
}

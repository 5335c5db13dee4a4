/**
 * Memos of label-bound metric children (what prom-client's `metric.labels(...)` returns), keyed by
 * the label values through nested Maps, so the hot path looks a child up without building a key
 * string and without prom-client re-parsing and re-validating the labels. The label values are
 * bounded (LabelPolicy, route patterns), so these caches are too.
 *
 * Note: prom-client 15's children still hash their labels on every inc/observe; these memos remove
 * the rest of the per-call label work, not that.
 */
export class ChildCache1<C> {
  private readonly children = new Map<string, C>();

  constructor(private readonly create: (a: string) => C) {}

  get(a: string): C {
    let child = this.children.get(a);
    if (child === undefined) {
      child = this.create(a);
      this.children.set(a, child);
    }
    return child;
  }
}

export class ChildCache2<C> {
  private readonly byA = new Map<string, Map<string, C>>();

  constructor(private readonly create: (a: string, b: string) => C) {}

  get(a: string, b: string): C {
    let byB = this.byA.get(a);
    if (byB === undefined) {
      byB = new Map();
      this.byA.set(a, byB);
    }
    let child = byB.get(b);
    if (child === undefined) {
      child = this.create(a, b);
      byB.set(b, child);
    }
    return child;
  }
}

export class ChildCache3<C> {
  private readonly byA = new Map<string, ChildCache2<C>>();

  constructor(private readonly create: (a: string, b: string, c: string) => C) {}

  get(a: string, b: string, c: string): C {
    let byBC = this.byA.get(a);
    if (byBC === undefined) {
      byBC = new ChildCache2((b2, c2) => this.create(a, b2, c2));
      this.byA.set(a, byBC);
    }
    return byBC.get(b, c);
  }
}

/**
 * Counters and histograms whose per-request cost is one or two additions on a plain
 * object. prom-client's own metrics hash and validate their label set on every inc() and
 * observe(), even through a labelled child; on the token path (issue 14) that is work per
 * request for nothing. Here a labelled series is made once (at load, or the first time a
 * bounded label set is seen) and the request path holds it; the exposition is built only
 * when /metrics is scraped. Each family is a prom-client metric as far as a Registry is
 * concerned (name, help, type, aggregator, get()), so the registry formats it, and
 * prom-client's AggregatorRegistry sums it across `--workers`.
 */

type Labels = Readonly<Record<string, string>>;

/** One sample as prom-client's Registry reads it from a metric's get(). */
export interface Sample {
  readonly metricName?: string;
  readonly labels: Record<string, string | number>;
  readonly value: number;
}

/** What prom-client's Registry reads from a metric (registerMetric, getMetricsAsJSON). */
export interface MetricJson {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  readonly values: Sample[];
}

abstract class Family<S> {
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, { labels: Labels; series: S }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {}

  /** The series for these label values (in labelNames order): made once, then the same object. */
  with(...values: string[]): S {
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (entry === undefined) {
      const labels = Object.freeze(Object.fromEntries(this.labelNames.map((name, i) => [name, values[i] ?? ''])));
      entry = { labels, series: this.create() };
      this.series.set(key, entry);
    }
    return entry.series;
  }

  protected entries(): Iterable<{ labels: Labels; series: S }> {
    return this.series.values();
  }

  protected abstract create(): S;
}

export interface CounterSeries {
  value: number;
}

export class CounterFamily extends Family<CounterSeries> {
  readonly type = 'counter' as const;

  protected create(): CounterSeries {
    return { value: 0 };
  }

  get(): MetricJson {
    const values = [...this.entries()].map(({ labels, series }) => ({ labels: { ...labels }, value: series.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export class HistogramSeries {
  /** Observations per bucket (not cumulative: the exposition adds them up). */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(seconds: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** prom-client's histogram values: cumulative `_bucket`s by `le`, `+Inf`, `_sum`, `_count`. */
  values(name: string, labels: Labels): Sample[] {
    const values: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += this.counts[i]!;
      values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
    });
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: this.count });
    values.push({ metricName: `${name}_sum`, labels: { ...labels }, value: this.sum });
    values.push({ metricName: `${name}_count`, labels: { ...labels }, value: this.count });
    return values;
  }
}

export class HistogramFamily extends Family<HistogramSeries> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    super(name, help, labelNames);
  }

  protected create(): HistogramSeries {
    return new HistogramSeries(this.bounds);
  }

  get(): MetricJson {
    const values = [...this.entries()].flatMap(({ labels, series }) => series.values(this.name, labels));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

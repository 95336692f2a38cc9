/** The arithmetic of a benchmark: medians of repeated runs and ratios between servers. Pure. */

/** One measured run of one server: what autocannon and /proc said about it. */
export interface RunSample {
  round: number;
  requestsPerSecond: number;
  /** Responses counted (2xx or not): CPU per request divides by this. */
  responses: number;
  /** Responses other than 2xx, plus socket errors and timeouts: a non-zero count taints the row. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
  /** Server process (and its children) user+system CPU during the run, microseconds. */
  cpuMicros: number | undefined;
  /** This process's (autocannon's) CPU during the run, microseconds: the server's competitor for the cores. */
  generatorCpuMicros?: number;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median over rounds of each round's ratio A/B. Pairing runs of the same round cancels
 * the machine's drift (another process, thermal state) that a ratio of medians would keep.
 */
export function medianRatio(a: readonly RunSample[], b: readonly RunSample[]): number | undefined {
  const ratios: number[] = [];
  for (const sample of a) {
    const partner = b.find((other) => other.round === sample.round);
    if (partner && partner.requestsPerSecond > 0) ratios.push(sample.requestsPerSecond / partner.requestsPerSecond);
  }
  return median(ratios);
}

/** CPU microseconds per response over all runs (total CPU / total responses), or undefined without /proc. */
export function cpuPerRequest(samples: readonly RunSample[]): number | undefined {
  let cpu = 0;
  let responses = 0;
  for (const sample of samples) {
    if (sample.cpuMicros === undefined) return undefined;
    cpu += sample.cpuMicros;
    responses += sample.responses;
  }
  return responses > 0 ? cpu / responses : undefined;
}

// Just the part of autocannon's programmatic API the benchmarks use (it ships no types).
declare module 'autocannon' {
  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    onResponse?: (
      status: number,
      body: string,
      context: Record<string, unknown>,
      headers: Record<string, string>,
    ) => void;
  }

  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    requests?: AutocannonRequest[];
    /** Return raw results (encoded histograms) that aggregateResult() can merge. */
    skipAggregateResult?: boolean;
  }

  /** Percentiles are keyed `p50`, `p90`, `p99`, `p99_9`, …; latencies are in milliseconds. */
  interface AutocannonHistogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface AutocannonResult {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: AutocannonHistogram;
    requests: AutocannonHistogram;
  }

  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  namespace autocannon {
    /** Merges raw results (run with skipAggregateResult) into one, latency histograms included. */
    function aggregateResult(
      results: AutocannonResult[],
      options: Pick<AutocannonOptions, 'url'>,
    ): AutocannonResult;
  }
  export default autocannon;
  export type { AutocannonOptions, AutocannonRequest, AutocannonResult };
}

-- Prints one line that run.sh reads: latency percentiles, throughput and errors of the run.
function done(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f rps=%.0f errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

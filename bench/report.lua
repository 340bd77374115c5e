-- wrk script for bench/run.py: at the end of a run, one JSON line with the
-- request count, the duration and the latency percentiles (microseconds).
-- bench/replay.lua and bench/scenario.lua use its done() too.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, e.timeout))
end

-- wrk script for the load scenario (bench/load.py, `make load`, and its smoke
-- test): sends the requests of a scenario file (bench/scenario.py: step,
-- method, path, cookies, form body, tab-separated) at a set rate, and records
-- each response's step, status, latency and the time it was due (µs on the
-- monotonic clock: when the slow ones came, docs/benchmarks.md).
--
-- Run it with as many threads as connections (one connection per thread, so
-- a response is matched to its request). Arguments after `--`: a directory
-- holding each thread's lines (`<n>.tsv` for thread n, in the order it sends
-- them, going round again at the end: bench/loadrun.py cuts them from the
-- scenario file), the thread count, the total rate in requests per second (0:
-- as fast as the connections go), the file the records are written to and,
-- optionally, how many requests each thread sends before it stops (0: until
-- the end) and a filler path.
--
-- wrk initialises its threads one after the other, and each starts sending
-- once its own init is done: a thread reads only its own lines. When each
-- parsed the whole scenario (30,000 lines, ~150 ms a thread), the init of a
-- hundred threads took seconds, during which the first ones sent requests
-- outside the measured duration while the init took a core (`make load`
-- read ~40 % more answers than it asked, with tails of seconds).
--
-- With a per-thread count, a thread that has sent its share would leave a
-- connection open and idle (wrk reconnects after each "Connection: close"),
-- and a sync gunicorn worker that accepts it waits on it until its timeout.
-- So a thread that is done asks for the filler path (its answers not
-- recorded) if one is given, or stops; when every thread is done, the last
-- one interrupts wrk (SIGINT, as Ctrl-C), so the run's duration is the time
-- the requests took, not the -d limit.
--
-- At a set rate each connection keeps its own schedule (one request every
-- threads / rate seconds, the connections staggered) and the latency is
-- counted from the time the request was due, not from when it could be sent:
-- when the server falls behind, the wait counts (no "coordinated omission").
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")
local report = done

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
  int getpid(void);
  int kill(int pid, int sig);
]]
local SIGINT = 2
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + tonumber(timespec.tv_nsec) / 1000
end

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  local count = tonumber(args[2])
  local rate = tonumber(args[3])
  out_path = args[4]
  limit = tonumber(args[5]) or 0
  local filler_path = args[6] or ""
  thread_count = count
  filler = filler_path ~= "" and wrk.format("GET", filler_path) or nil
  finished = false
  steps, requests = {}, {}
  for line in io.lines(args[1] .. "/" .. id .. ".tsv") do
    if line ~= "" then
      local f = split(line)
      local headers = {}
      if f[4] ~= "" then
        headers["Cookie"] = f[4]
      end
      local body = nil
      if f[2] == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = f[5]
      end
      steps[#steps + 1] = f[1]
      requests[#requests + 1] = wrk.format(f[2], f[3], headers, body)
    end
  end
  assert(#requests > 0, "no lines for thread " .. id)
  position = 0
  interval = rate > 0 and 1000000 * count / rate or 0
  -- Connections staggered over the first interval.
  due = now_us() + interval * (id - 1) / count
  records, sent_step, sent_due = {}, nil, nil
end

function delay()
  if interval == 0 then
    return 0
  end
  local wait = (due - now_us()) / 1000
  return wait > 0 and math.floor(wait) or 0
end

-- This thread has sent its share: count it in a file every thread appends
-- to; the last one interrupts wrk.
local function finish()
  finished = true
  local marks = out_path .. ".finished"
  local file = assert(io.open(marks, "a"))
  file:write("x")
  file:close()
  file = assert(io.open(marks, "r"))
  local done_count = #file:read("*a")
  file:close()
  if done_count >= thread_count then
    ffi.C.kill(ffi.C.getpid(), SIGINT)
  end
  if not filler then
    wrk.thread:stop()
  end
end

function request()
  if finished then
    return filler
  end
  -- A request asked again before its response came means wrk reconnected
  -- after a socket error: the same line goes again, none is skipped.
  if not sent_step then
    position = position % #requests + 1
  end
  sent_step = steps[position]
  sent_due = interval > 0 and due or now_us()
  due = due + interval
  return requests[position]
end

function response(status, headers, body)
  if sent_step then
    local latency = math.floor(now_us() - math.min(sent_due, now_us()))
    records[#records + 1] = sent_step .. "\t" .. status .. "\t" .. latency
      .. "\t" .. string.format("%d", sent_due)
    sent_step = nil
    if limit > 0 and #records >= limit then
      finish()
    end
  end
end

function done(summary, latency, requests)
  local file = assert(io.open(threads[1]:get("out_path"), "w"))
  for _, thread in ipairs(threads) do
    for _, record in ipairs(thread:get("records")) do
      file:write(record, "\n")
    end
  end
  file:close()
  report(summary, latency, requests)
end

-- post-many.lua plus a count of answers per second of load, for the warm-up measurement
-- (warmup.sh): each thread buckets its 2xx answers by whole seconds since it started (LuaJIT's
-- ffi reads CLOCK_MONOTONIC), and done() prints one "BENCH_SECOND s=<n> ok=<count>" line per
-- second, summed over the threads, after the usual BENCH_RESULT line. Defining response()
-- costs wrk some throughput; every case of warmup.sh pays the same.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local body_file = os.getenv("BENCH_BODY_FILE") or "payload/update-account-request.json"
local f = assert(io.open(body_file, "rb"))
local body = f:read("*a")
f:close()
local accounts = tonumber(os.getenv("BENCH_ACCOUNTS") or "1000") or 1000
local key = os.getenv("BENCH_CLIENT_API_KEY") or "bench-client-key"
local n = math.random(0, accounts - 1)
local headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = key }

local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

local t0
counts = {}
function init(args)
   t0 = now()
end

function request()
   n = (n + 1) % accounts
   return wrk.format("POST", "/api/v1/accounts/" .. (100000 + n), headers, body)
end

function response(status, hdrs, resp_body)
   if status >= 200 and status < 300 then
      local s = math.floor(now() - t0)
      counts[s] = (counts[s] or 0) + 1
   end
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d " ..
      "p999_us=%d mean_us=%.1f max_us=%d err_connect=%d err_read=%d err_write=%d " ..
      "err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.mean, latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
   local total, last = {}, -1
   for _, t in ipairs(threads) do
      for s, c in pairs(t:get("counts") or {}) do
         total[s] = (total[s] or 0) + c
         if s > last then last = s end
      end
   end
   for s = 0, last do
      io.write(string.format("BENCH_SECOND s=%d ok=%d\n", s, total[s] or 0))
   end
end

-- POSTs an update, rotating over the sandbox's four accounts request by request, so that the
-- per-account lanes (one update per account at a time) do not serialise the whole run.
local ids = { 1234, 1235, 1236, 1237 }
local n = 0
local body = '{"first_name": "Bench", "alive": true, "desc": "benchmark"}'

wrk.headers["Content-Type"] = "application/json"

function request()
  n = n + 1
  local path = string.gsub(wrk.path, "ACCOUNT", ids[(n % #ids) + 1])
  -- nil headers: wrk's own, so the -H X-Api-Key given on the command line is kept
  return wrk.format("POST", path, nil, body)
end

dofile("bench/report.lua")

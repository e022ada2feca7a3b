-- One POST body for every request; each wrk connection updates its own sandbox account so that
-- the per-account lanes do not serialise the whole run onto one account.
local ids = { 1234, 1235, 1236, 1237 }
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", ids[((counter - 1) % #ids) + 1])
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"first_name": "Bench", "alive": true, "desc": "benchmark"}'
  wrk.path = string.gsub(wrk.path, "ACCOUNT", id)
end

dofile("bench/report.lua")

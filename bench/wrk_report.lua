-- wrk script for bench/load.py: round-robins over the given paths, counts responses whose
-- status is not the expected one, stops each thread after a request cap, and prints one JSON
-- line with the latency percentiles in microseconds.
-- Arguments: max_requests_per_thread expected_status method body path [path ...]
-- In the body, {id} becomes the path's first number padded to 12 digits.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  max_requests = tonumber(args[1])
  expected = tonumber(args[2])
  method = args[3]
  body = args[4]
  if body == "-" then body = nil end
  paths = {}
  for i = 5, #args do table.insert(paths, args[i]) end
  counter = 0
  responses = 0
  unexpected = 0
  last_unexpected = 0
end

function request()
  counter = counter + 1
  local path = paths[((counter - 1) % #paths) + 1]
  local this_body = body
  if body and string.find(body, "{id}", 1, true) then
    -- A per-request value: the path's first number, zero-padded to 12 digits (a uuid tail).
    local id = string.format("%012d", tonumber(string.match(path, "(%d+)")))
    this_body = string.gsub(body, "{id}", id)
  end
  return wrk.format(method, path, nil, this_body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= expected then
    unexpected = unexpected + 1
    last_unexpected = status
  end
  if max_requests > 0 and responses >= max_requests then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local unexpected_total, last_status = 0, 0
  for _, thread in ipairs(threads) do
    unexpected_total = unexpected_total + thread:get("unexpected")
    local s = thread:get("last_unexpected")
    if s ~= 0 then last_status = s end
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "mean_us": %.1f, "unexpected": %d, "last_unexpected_status": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, unexpected_total, last_status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

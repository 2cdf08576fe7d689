-- wrk script for scripts/load.sh: POSTs a form to the token endpoint, and keeps the
-- access tokens of the 200 answers so that run_load.py can check that every one is
-- distinct and stored.
--   LOAD_BODY        the form body (for the refresh run: with REFRESH as a placeholder)
--   LOAD_AUTH        the Authorization header value, or empty
--   LOAD_REFRESH     a file of refresh tokens, one per line: each request spends the next
--                    one (rotation: a refresh token works once)
--   LOAD_THREADS     wrk's -t, so that each thread takes its share of LOAD_REFRESH
--   LOAD_RESULT      where done() writes its JSON summary; the tokens go to LOAD_RESULT .. ".tokens"

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  statuses = {}
  refresh = {}
  local file = os.getenv("LOAD_REFRESH")
  if file and file ~= "" then
    local n = 0
    local count = tonumber(os.getenv("LOAD_THREADS") or "1")
    for line in io.lines(file) do
      if n % count == id then refresh[#refresh + 1] = line end
      n = n + 1
    end
  end
  position = 0
  body = os.getenv("LOAD_BODY")
  headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
  local auth = os.getenv("LOAD_AUTH")
  if auth and auth ~= "" then headers["Authorization"] = auth end
  fixed = wrk.format("POST", "/oauth/token", headers, body)
end

function request()
  if #refresh == 0 then return fixed end
  position = position + 1
  local token = refresh[position] or "exhausted"
  return wrk.format("POST", "/oauth/token", headers, (body:gsub("REFRESH", token)))
end

function response(status, _, response_body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 200 then
    local token = response_body:match('"access_token":"([^"]+)"')
    if token then tokens[#tokens + 1] = token end
  end
end

function done(summary, latency, _)
  local out = os.getenv("LOAD_RESULT")
  local all = io.open(out .. ".tokens", "w")
  local by_status = {}
  for _, thread in ipairs(threads) do
    for _, token in ipairs(thread:get("tokens")) do all:write(token, "\n") end
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  all:close()
  local parts = {}
  for status, count in pairs(by_status) do parts[#parts + 1] = string.format('"%d":%d', status, count) end
  local errors = summary.errors
  local file = io.open(out, "w")
  file:write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s},' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, table.concat(parts, ","), errors.connect, errors.read, errors.write, errors.timeout))
  file:close()
end

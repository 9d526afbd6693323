-- wrk script of tests/e2e/test_e2e_failures.py: cycles through malformed requests (bodies,
-- content types, sizes, headers) and counts the answers that are 5xx or not JSON.
-- done() prints one line per thread: RESULT <answers> <5xx> <not JSON> <statuses> <sample>

local garbage_token = string.rep("A", 6000) .. "." .. string.rep("\255", 200)
local requests = {
  {"POST", "/api/token/", {["Content-Type"] = "application/json"}, string.rep("[", 5000)},
  {"POST", "/api/token/refresh/", {["Content-Type"] = "application/json"}, string.rep("{\"a\":", 3000)},
  {"POST", "/api/token/verify/", {["Content-Type"] = "application/json"}, "{\"token\": "},
  {"POST", "/api/token/blacklist/", {["Content-Type"] = "application/json"}, "\255\254{}"},
  {"POST", "/api/token/", {["Content-Type"] = "text/plain"}, "username=demo"},
  {"POST", "/api/token/", {["Content-Type"] = "application/x-www-form-urlencoded"}, "a=b"},
  {"POST", "/api/token/", {["Content-Type"] = "application/json; charset=bz2_codec"}, "{}"},
  {"POST", "/api/token/", {["Content-Type"] = "application/json; charset=nope"}, "{}"},
  {"POST", "/api/token/verify/", {["Content-Type"] = "application/json"},
    "{\"token\": \"" .. string.rep("x", 200000) .. "\"}"},
  {"POST", "/api/token/refresh/", {["Content-Type"] = "application/json"},
    string.rep("x", 1100000)},
  {"POST", "/api/token/refresh/", {["Content-Type"] = "application/json"}, "[NaN, 1e999999]"},
  {"GET", "/api/me/", {["Authorization"] = "Bearer " .. garbage_token}, nil},
  {"GET", "/api/me/", {["Authorization"] = string.rep("Bearer ", 1000)}, nil},
  {"GET", "/api/me/", {["Authorization"] = "Bearer " .. string.rep("a", 8170)}, nil},
  {"GET", "/api/me/", {["Authorization"] = "Bearer " .. string.rep("a", 20000)}, nil},
  {"GET", "/api/me/stateless/", {["X-Garbage"] = string.rep("\1\127", 2000)}, nil},
  {"GET", "/api/token/", {}, nil},
  {"DELETE", "/api/token/refresh/", {["Content-Type"] = "application/json"}, "{}"},
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  answers, fivexx, notjson, counter = 0, 0, 0, 0
  statuses, sample = {}, "-"
end

function request()
  counter = counter + 1
  local r = requests[(counter - 1) % #requests + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  answers = answers + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 500 then
    fivexx = fivexx + 1
  end
  local content_type = headers["Content-Type"] or headers["content-type"] or ""
  if not string.find(content_type, "^application/json") then
    notjson = notjson + 1
    sample = status .. ":" .. string.gsub(string.sub(body, 1, 60), "%s", "_")
  end
  local parts = {}
  for code, count in pairs(statuses) do
    table.insert(parts, code .. "=" .. count)
  end
  status_line = table.concat(parts, ",")
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("RESULT %d %d %d %s %s\n", thread:get("answers"),
      thread:get("fivexx"), thread:get("notjson"), thread:get("status_line") or "-",
      thread:get("sample")))
  end
end

-- wrk script of bench/serve/soak.sh: the request mix and the check of every answer.
-- Each thread sends GET /hello (90%), /trap (5%) or /spin (5%), picked at random, and stops
-- after its share of answers (wrk's first script argument: requests per thread), leaving the
-- file thread-ID in the directory $SOAK_DONE_DIR: wrk itself runs until -d or SIGINT, so
-- soak.sh sends SIGINT once every thread has left its file. An answer is
-- classified by status and body, never by which request it answers (wrk does not say):
--   hello_ok  200 "hello from hull serve"
--   trap_ok   500 naming `unreachable`
--   spin_ok   500 naming fuel, a deadline or an interrupt
--   wrong     anything else (the first one is kept in wrong_sample)
-- done() prints one line "SOAK key=value ..." with the sums over all threads.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  share = tonumber(args[1])
  math.randomseed(os.time() * 1000 + id * 7919)
  paths = { wrk.format("GET", "/hello"), wrk.format("GET", "/trap"), wrk.format("GET", "/spin") }
  sent_hello, sent_trap, sent_spin = 0, 0, 0
  hello_ok, trap_ok, spin_ok, wrong, answered = 0, 0, 0, 0, 0
  wrong_sample = ""
end

function request()
  local r = math.random(100)
  if r <= 90 then
    sent_hello = sent_hello + 1
    return paths[1]
  elseif r <= 95 then
    sent_trap = sent_trap + 1
    return paths[2]
  end
  sent_spin = sent_spin + 1
  return paths[3]
end

function response(status, headers, body)
  answered = answered + 1
  if status == 200 and body == "hello from hull serve" then
    hello_ok = hello_ok + 1
  elseif status == 500 and body:find("unreachable", 1, true) then
    trap_ok = trap_ok + 1
  elseif status == 500 and (body:find("fuel", 1, true) or body:find("deadline", 1, true)
                            or body:find("interrupt", 1, true)) then
    spin_ok = spin_ok + 1
  else
    wrong = wrong + 1
    if wrong_sample == "" then
      wrong_sample = status .. " " .. body:sub(1, 80):gsub("[%s=]", "_")
    end
  end
  if answered == share then
    local dir = os.getenv("SOAK_DONE_DIR")
    if dir then
      local f = io.open(dir .. "/thread-" .. id, "w")
      if f then f:close() end
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local keys = { "sent_hello", "sent_trap", "sent_spin", "hello_ok", "trap_ok", "spin_ok",
                 "wrong", "answered" }
  local sums = {}
  for _, k in ipairs(keys) do sums[k] = 0 end
  local sample = ""
  for _, t in ipairs(threads) do
    for _, k in ipairs(keys) do sums[k] = sums[k] + t:get(k) end
    if sample == "" then sample = t:get("wrong_sample") end
  end
  local e = summary.errors
  local line = "SOAK"
  for _, k in ipairs(keys) do line = line .. " " .. k .. "=" .. sums[k] end
  line = line .. string.format(" socket_errors=%d timeouts=%d p50_us=%d p99_us=%d max_us=%d",
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max)
  if sample ~= "" then line = line .. " wrong_sample=" .. sample end
  io.write(line .. "\n")
end

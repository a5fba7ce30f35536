#!/usr/bin/env bash
# `hull serve` end to end on loopback: the hand-written wasi:http component tests/serve/app.wat
# answered over HTTP/1.1 (curl, and tests/serve/client.py where curl cannot: raw bytes,
# keep-alive, pipelining, a request held across SIGTERM), its limits (fuel, deadline, body and
# header size), metrics, the access log, graceful shutdown and the command's errors; or, with the
# npm tools given, a componentize-js component (tests/serve/hello.js).
#
#   tests/serve/serve.sh HULL                        app.wat: everything but JS
#   tests/serve/serve.sh HULL NPM_TOOLS CACHE_DIR    the componentize-js component only
#
# NPM_TOOLS: npm prefix with jco and componentize-js (scripts/npm-tools.sh); the built JS
# component is cached in CACHE_DIR. Every check prints what it expected and what it got; every
# wait is bounded; every process started is killed on exit. Speed is never asserted here (see
# bench/serve/run.sh): the time bounds only catch a hang.
set -uo pipefail

hull=$1
npm_tools=${2:-}
cache=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
client=$here/client.py
work=$(mktemp -d)
# The shared harness: check, check_match, summary, now_ms, cleanup (kills pids), serve_start,
# stop, http_status, metric.
. "$here/lib.sh"
trap cleanup EXIT

# start NAME ARGS...: `hull serve ARGS` on 127.0.0.1:0 (serve_start: sets PORT, ADMIN, PID;
# stderr in $work/NAME.err), then says what it started.
start() {
  local name=$1
  shift
  serve_start "$name" "$@"
  echo "---- $name: hull serve $* on port $PORT${ADMIN:+ (admin $ADMIN)}"
}

# get URL_PATH [CURL_ARGS...]: prints "STATUS BODY" (body on one line); headers in $work/h.
get() {
  local status
  status=$(http_status "http://127.0.0.1:$PORT$1" "${@:2}")
  echo "$status $(tr '\n' ' ' < "$work/body" 2> /dev/null | sed 's/ $//')"
}
header() { tr -d '\r' < "$work/h" | sed -n "s/^$1: //Ip" | head -1; }

# The hand-written component, the limits, shutdown and the command's errors.
app_tests() {
# ---- A: routes, limits, framing, metrics, access log -------------------------------------------
start a "$here/app.wat" --admin-addr 127.0.0.1:0 --fuel 2000000 --max-body 64K \
  --max-header 4K --access-log "$work/a.log"
requests=0  # what the access log must hold afterwards

check "GET /hello" "200 hello from hull serve" "$(get /hello)"
check "GET /hello: the guest's header x-hull-app" "hello" "$(header x-hull-app)"
check "GET /hello?q=1 (the query is not the path)" "200 hello from hull serve" "$(get '/hello?q=1')"
check "GET /nope: the guest's 404" "404 not found: /nope" "$(get /nope)"
check "POST /echo" "200 ping 123" "$(get /echo --data-binary 'ping 123')"
check "POST /echo: the method reaches the guest" "POST" "$(header x-echo-method)"
head -c 40000 /dev/urandom | base64 -w 100 > "$work/big"  # 54 KB: 14 reads and writes of 4 KiB
got=$(get /echo -X PUT -H 'Expect:' --data-binary "@$work/big" | cut -c1-3)
cmp -s "$work/big" "$work/body" && same=identical || same=different
check "PUT /echo of 54 KB: status, method, body" "200 PUT identical" "$got $(header x-echo-method) $same"
# A chunked request's trailers reach the guest, which sends them back after its last chunk.
got=$(printf 'POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Sum: 5\r\nX-Note: end\r\n\r\n' |
  python3 "$client" raw "$PORT" | tr -d '\r' | paste -sd'|')
check_match "POST /echo with trailers: chunked, the body, the trailers after the last chunk" \
  '^HTTP/1.1 200 OK\|.*transfer-encoding: chunked\|.*\|\|5\|hello\|0\|X-Sum: 5\|X-Note: end\|$' "$got"
requests=$((requests + 6))

check "GET /trap: a trap is a 500" "500" "$(get /trap | cut -d' ' -f1)"
check_match "GET /trap: the body says why" "unreachable" "$(cat "$work/body")"
check "GET /hello right after the trap" "200 hello from hull serve" "$(get /hello)"
t0=$(now_ms)
check "GET /spin under --fuel: a 500" "500" "$(get /spin | cut -d' ' -f1)"
echo "     (answered in $(($(now_ms) - t0)) ms)"
check_match "GET /spin under --fuel: the body says fuel" "fuel" "$(cat "$work/body")"
check "GET /hello after running out of fuel" "200 hello from hull serve" "$(get /hello)"
requests=$((requests + 4))

head -c 100000 /dev/zero > "$work/100k"
check "POST /echo of 100 KB over --max-body 64K" "413" \
  "$(get /echo -H 'Expect:' --data-binary "@$work/100k" | cut -d' ' -f1)"
check "a header of 5000 bytes over --max-header 4K" "431" \
  "$(get /hello -H "x-big: $(head -c 5000 /dev/zero | tr '\0' a)" | cut -d' ' -f1)"
got=$(printf 'NOT A REQUEST LINE\r\n\r\n' | python3 "$client" raw "$PORT" | head -1 | tr -d '\r')
check "a malformed request line" "HTTP/1.1 400 Bad Request" "$got"
check "Expect: 100-continue: the interim answer, then the echo" \
  "HTTP/1.1 100 Continue|HTTP/1.1 200 OK 5000" "$(python3 "$client" expect "$PORT" 5000 | paste -sd'|')"
check "Expect: 100-continue with a body over --max-body: 413, no 100" "HTTP/1.1 413 Payload Too Large" \
  "$(python3 "$client" expect "$PORT" 100000)"
requests=$((requests + 5))

got=$(python3 "$client" keepalive "$PORT" 3)
check "keep-alive: 3 answers" "200 200 200" "$(awk '{print $1}' <<< "$got" | xargs)"
check "keep-alive: one connection (one local port)" "1" "$(awk '{print $2}' <<< "$got" | sort -u | wc -l)"
check "pipelining: two requests in one write, two answers in order" \
  "200 hello from hull serve|200 second" "$(python3 "$client" pipeline "$PORT" | paste -sd'|')"
requests=$((requests + 5))

check "metrics: 200s" "13" "$(metric 'hull_requests_total{route="\/...",status="200"}')"
check "metrics: 404s" "1" "$(metric 'hull_requests_total{route="\/...",status="404"}')"
check "metrics: 500s" "2" "$(metric 'hull_requests_total{route="\/...",status="500"}')"
check "metrics: traps" "1" "$(metric hull_traps_total)"
check "metrics: fuel exhausted" "1" "$(metric hull_fuel_exhausted_total)"
check "metrics: instances (one per request that reached the guest)" "16" "$(metric hull_instances_total)"
check "metrics: in flight (none)" "0" "$(metric hull_requests_in_flight)"
check "metrics: live instances (none)" "0" "$(metric hull_instances_live)"
# A request that succeeded leaves its instance to be reset for the next one (--instance-reuse
# on, the default): some of the 16 were reset, not instantiated, and one waits now.
resets=$(metric hull_instances_reset_total)
check "metrics: instances reset instead of instantiated (some, fewer than 16)" "yes" \
  "$([ "${resets:-0}" -gt 0 ] && [ "${resets:-0}" -lt 16 ] && echo yes || echo "no ($resets)")"
check "metrics: idle instances (one kept)" "yes" \
  "$([ "$(metric hull_instances_idle)" -ge 1 ] && echo yes || echo "no ($(metric hull_instances_idle))")"
check "metrics: traps by kind: unreachable" "1" "$(metric 'hull_guest_traps_total{kind="unreachable"}')"
check "metrics: traps by kind: out of fuel" "1" "$(metric 'hull_guest_traps_total{kind="out_of_fuel"}')"
fuel_used=$(metric 'hull_fuel_consumed_total{route="\/..."}')
check "metrics: fuel consumed (over 2,000,000: the /spin that ran out)" "yes" \
  "$([ "${fuel_used:-0}" -ge 2000000 ] && echo yes || echo "no ($fuel_used)")"
check "metrics: host-call time observed for every guest run" "16" \
  "$(metric 'hull_host_call_duration_seconds_count{route="\/..."}')"
check "admin /healthz" "ok" "$(curl -sS -m 10 "http://127.0.0.1:$ADMIN/healthz")"

check "access log: one line per request" "$requests" "$(wc -l < "$work/a.log")"
check_match "access log: a line's form" \
  '^[0-9T:-]+Z 127\.0\.0\.1:[0-9]+ "PUT /echo" 200 [0-9]+ [0-9]+us route=/\.\.\. component=[^ ]+app\.wat instantiate_us=[0-9]+ guest_us=[0-9]+ host_us=[0-9]+ host_calls=[1-9][0-9]* fuel=[1-9][0-9]*$' \
  "$(grep '"PUT /echo"' "$work/a.log")"
check_match "access log: a trap's line names its kind" 'failure=trap trap=unreachable$' \
  "$(grep '"GET /trap"' "$work/a.log")"
check "access log: the refused requests" "413 431 400 413" \
  "$(grep -o '"- -" [0-9]*' "$work/a.log" | awk '{print $3}' | xargs)"
stop a

# ---- B: a deadline ----------------------------------------------------------------------------
start b "$here/app.wat" --admin-addr 127.0.0.1:0 --timeout 200ms
t0=$(now_ms)
check "GET /spin under --timeout 200ms: a 500" "500" "$(get /spin | cut -d' ' -f1)"
ms=$(($(now_ms) - t0))
check_match "GET /spin under --timeout 200ms: the body says deadline" "interrupt|deadline" "$(cat "$work/body")"
check "GET /spin under --timeout 200ms: answered after 150 ms and within 10 s" "yes" \
  "$([ "$ms" -ge 150 ] && [ "$ms" -lt 10000 ] && echo yes || echo "no ($ms ms)")"
echo "     (answered in $ms ms)"
check "GET /hello after the deadline" "200 hello from hull serve" "$(get /hello)"
check "metrics: deadline exceeded" "1" "$(metric hull_deadline_exceeded_total)"
stop b

# ---- B2: JSON access log, and the engine modes switched off -------------------------------------
start b2 "$here/app.wat" --fuel 2000000 --access-log "$work/b2.log" --log-format json \
  --pooling off --memory-images off --bounds-checks explicit
check "modes off: GET /hello" "200 hello from hull serve" "$(get /hello)"
check "modes off: GET /hello again (a reset instance)" "200 hello from hull serve" "$(get /hello)"
check "modes off: GET /trap" "500" "$(get /trap | cut -d' ' -f1)"
check "JSON log: every line is a JSON object with the request's fields" "ok" "$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3, lines
hello, again, trap = lines
for k in ("time", "peer", "method", "target", "status", "bytes", "duration_us", "route",
          "component", "instantiate_us", "guest_us", "host_us", "host_calls", "fuel"):
    assert k in hello, (k, hello)
assert hello["target"] == "/hello" and hello["status"] == 200 and hello["fuel"] > 0, hello
assert isinstance(hello["host_calls"], int) and hello["host_calls"] > 0, hello
# A reset instance reports what its own request cost, not what its store cost so far.
assert again["host_calls"] == hello["host_calls"] and again["fuel"] == hello["fuel"], (hello, again)
assert trap["status"] == 500 and trap["failure"] == "trap" and trap["trap"] == "unreachable", trap
print("ok")' "$work/b2.log" 2>&1 | tail -1)"
stop b2
start b3 "$here/app.wat" --admin-addr 127.0.0.1:0 --instance-reuse off
check "--instance-reuse off: GET /hello" "200 hello from hull serve" "$(get /hello)"
check "--instance-reuse off: GET /hello again" "200 hello from hull serve" "$(get /hello)"
check "--instance-reuse off: every instance instantiated" "2 0" \
  "$(metric hull_instances_total) $(metric hull_instances_reset_total)"
stop b3
# The core code's tier: the baseline tier's machine code by default where the build has the
# tier (x86-64; HULL_BASELINE_TRACE names each module it compiles), the interpreter with
# --tier interp.
if [ "$(uname -m)" = x86_64 ]; then
  HULL_BASELINE_TRACE=1 start t1 "$here/app.wat"
  check "default tier: GET /hello" "200 hello from hull serve" "$(get /hello)"
  check "default tier: the baseline tier compiled the core modules" "yes" \
    "$(grep -q '^hull baseline: [0-9]* functions' "$work/t1.err" && echo yes || echo no)"
  stop t1
  HULL_BASELINE_TRACE=1 start t2 "$here/app.wat" --tier interp
  check "--tier interp: GET /hello" "200 hello from hull serve" "$(get /hello)"
  check "--tier interp: nothing compiled by the baseline tier" "0" \
    "$(grep -c '^hull baseline:' "$work/t2.err")"
  stop t2
fi
# A component whose instantiation runs code (a start function added to app.wat's memory
# module) cannot be reset to a snapshot: it is instantiated for every request, and says so once.
sed 's|^    (memory (export "memory") 1)$|&\n    (func $init) (start $init)|' "$here/app.wat" > "$work/app-start.wat"
check "app.wat with a start function written" "1" "$(grep -c '(start \$init)' "$work/app-start.wat")"
start b4 "$work/app-start.wat" --admin-addr 127.0.0.1:0
check "start function: GET /hello" "200 hello from hull serve" "$(get /hello)"
check "start function: GET /hello again" "200 hello from hull serve" "$(get /hello)"
check "start function: every instance instantiated" "2 0" \
  "$(metric hull_instances_total) $(metric hull_instances_reset_total)"
check "start function: said once on stderr, with the reason" "1" \
  "$(grep -c 'is instantiated for every request: .*start function' "$work/b4.err")"
stop b4
bad=$("$hull" serve "$here/app.wat" --instance-reuse maybe 2>&1) && rc=0 || rc=$?
check "a bad --instance-reuse is refused, naming the choices" \
  "2|error: --instance-reuse maybe: expected on or off" "$rc|$bad"
bad=$("$hull" serve "$here/app.wat" --log-format xml 2>&1) && rc=0 || rc=$?
check "a bad --log-format is refused, naming the choices" \
  "2|error: --log-format xml: expected text or json" "$rc|$bad"

# ---- R: --read-timeout closes a connection that makes no progress -----------------------------
start r "$here/app.wat" --read-timeout 300ms
t0=$(now_ms)
got=$(printf 'GET /hello HTTP/1.1\r\nHost: x\r\n' | python3 "$client" raw "$PORT" | tr -d '\r')
elapsed=$(($(now_ms) - t0))
check "--read-timeout 300ms: a half-sent header is not answered 200" "" \
  "$(grep -o 'HTTP/1.1 200\|<timeout>\|<reset>' <<< "$got")"
check "--read-timeout 300ms: the server closed the connection after 250 ms and within 5 s" \
  "yes" "$([ "$elapsed" -ge 250 ] && [ "$elapsed" -lt 5000 ] && echo yes || echo "no: $elapsed ms")"
check "--read-timeout: a request that keeps coming is answered" "200 hello from hull serve" \
  "$(get /hello)"
stop r

# ---- C: graceful shutdown with a request in flight ---------------------------------------------
start c "$here/app.wat" --admin-addr 127.0.0.1:0 --timeout 1s
python3 "$client" hold "$PORT" /spin "$work/held" &
pids+=($!)
for _ in $(seq 100); do
  [ "$(metric hull_requests_in_flight)" == 1 ] && break
  sleep 0.1
done
check "shutdown: /spin is in flight" "1" "$(metric hull_requests_in_flight)"
t0=$(now_ms)
kill -TERM "$PID"
for _ in $(seq 100); do
  grep -q 'stopped listening' "$work/c.err" && break
  sleep 0.1
done
check "shutdown: SIGTERM acknowledged" "1" "$(grep -c 'stopped listening' "$work/c.err")"
check "shutdown: a new connection is refused while /spin runs" "refused" \
  "$(python3 "$client" connect "$PORT")"
await_exit
ms=$(($(now_ms) - t0))
check "shutdown: exit status" "0" "$exit_status"
echo "     (exited $ms ms after SIGTERM)"
for _ in $(seq 100); do
  [ -s "$work/held" ] && break
  sleep 0.1
done
check_match "shutdown: the in-flight request got its answer" "^500 " "$(cat "$work/held" 2> /dev/null)"
check "shutdown: connections refused after exit" "refused" "$(python3 "$client" connect "$PORT")"
check "shutdown: no sanitizer report" "0" "$(grep -c 'Sanitizer\|runtime error:' "$work/c.err")"

# ---- errors of the command -------------------------------------------------------------------
# run_err WHAT EXPECTED_STATUS REGEX ARGS...: `hull serve ARGS` must exit with that status (at
# once: it must not start serving) and print a message matching REGEX.
run_err() {
  local what=$1 want=$2 re=$3
  shift 3
  timeout 20 "$hull" serve --addr 127.0.0.1:0 "$@" > /dev/null 2> "$work/err"
  local status=$?
  check "$what: exit status" "$want" "$status"
  check_match "$what: message" "$re" "$(head -1 "$work/err")"
}
printf 'not a component' > "$work/garbage.wasm"
run_err "a file that is no component" 1 "garbage\.wasm" "$work/garbage.wasm"
run_err "a missing file" 1 "missing\.wasm" "$work/missing.wasm"
echo '(component)' > "$work/empty.wat"
run_err "a component without incoming-handler" 1 "empty\.wat.*incoming-handler" "$work/empty.wat"
run_err "an unknown flag" 2 "--bogus" --bogus "$here/app.wat"
run_err "--fuel abc" 2 "--fuel abc" --fuel abc "$here/app.wat"
run_err "--timeout 5x" 2 "--timeout 5x" --timeout 5x "$here/app.wat"
run_err "--read-timeout 0s" 2 "--read-timeout 0s: expected a duration above zero" \
  --read-timeout 0s "$here/app.wat"
run_err "--max-body lots" 2 "--max-body lots" --max-body lots "$here/app.wat"
run_err "--addr without a port" 2 "--addr" --addr 127.0.0.1 "$here/app.wat"
run_err "no component" 2 "no component"
}

# ---- a componentize-js component (tests/serve/hello.js) ------------------------------------------
js_tests() {
js=$cache/serve-hello-js.wasm
mkdir -p "$cache"
if ! bash "$repo/scripts/build-js-component.sh" "$npm_tools" "$here/hello.js" \
  'export wasi:http/incoming-handler@0.2.10;' "$js"; then
  check "componentize-js component built" "yes" "no"
else
  start js "$js" --admin-addr 127.0.0.1:0
  check "JS: GET /hello" "200 hello from js /hello" "$(get /hello)"
  check "JS: its header x-hull-js" "yes" "$(header x-hull-js)"
  check "JS: GET /other/path: the guest's 404" "404 not found: /other/path" "$(get /other/path)"
  check "JS: metrics: 200s" "1" "$(metric 'hull_requests_total{route="\/...",status="200"}')"
  check "JS: metrics: 404s" "1" "$(metric 'hull_requests_total{route="\/...",status="404"}')"
  # ---- JS: the routes the C component has too (tests/serve/serve_c.sh): JSON bodies, headers,
  # query strings, a streamed echo.
  check "JS: POST /json {a:1,b:2}" '200 {"sum":3}' "$(get /json --data-binary '{"a":1,"b":2}')"
  check "JS: POST /json: content-type" "application/json" "$(header content-type)"
  check "JS: POST /json: a fraction" '400 {"error":"member \"b\" is not an integer"}' \
    "$(get /json --data-binary '{"a":1,"b":2.5}')"
  check_match "JS: POST /json: bad JSON" '^400 \{"error":"bad JSON: ' "$(get /json --data-binary '{"a":1,')"
  check "JS: GET /json: 405" '405 {"error":"use POST"}' "$(get /json)"
  check "JS: GET /json: allow" "POST" "$(header allow)"
  get /headers -A 'hull-test/1' -H 'X-Trace: abc' -H 'Accept: text/x-test' > /dev/null
  check "JS: GET /headers: the body lists user-agent" "1" "$(grep -cx 'user-agent: hull-test/1' "$work/body")"
  check "JS: GET /headers: the body lists x-trace" "1" "$(grep -cx 'x-trace: abc' "$work/body")"
  check "JS: GET /headers: x-trace echoed" "abc" "$(header x-trace)"
  check "JS: GET /headers: accept not echoed" "" "$(header accept)"
  check "JS: GET /query?x=1&y=a%20b+c" '200 {"x":"1","y":"a b c"}' "$(get '/query?x=1&y=a%20b+c')"
  check "JS: GET /query without a query" '200 {}' "$(get /query)"
  head -c 225000 /dev/urandom | base64 -w 100 > "$work/js-echo"  # 300 KB of text lines
  got=$(get /echo -H 'Expect:' --data-binary "@$work/js-echo" | cut -c1-3)
  cmp -s "$work/js-echo" "$work/body" && same=identical || same=different
  check "JS: POST /echo of 300 KB: status, body" "200 identical" "$got $same"
  check "JS: GET /nope?x=1: 404 without the query" "404 not found: /nope" "$(get '/nope?x=1')"
  check "JS: metrics: no traps" "0" "$(metric hull_traps_total)"
  stop js
fi
}

if [ -n "$npm_tools" ]; then
  js_tests
else
  app_tests
fi

summary serve

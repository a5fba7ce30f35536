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
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
# check WHAT EXPECTED GOT: equal strings pass.
check() {
  if [ "$2" == "$3" ]; then
    passed=$((passed + 1))
    echo "ok   $1: expected '$2', got '$3'"
  else
    failed=$((failed + 1))
    echo "FAIL $1: expected '$2', got '$3'"
  fi
}
# check_match WHAT REGEX GOT: GOT matches the extended regex.
check_match() {
  if [[ "$3" =~ $2 ]]; then
    passed=$((passed + 1))
    echo "ok   $1: expected /$2/, got '$3'"
  else
    failed=$((failed + 1))
    echo "FAIL $1: expected /$2/, got '$3'"
  fi
}
now_ms() { date +%s%3N; }

# start NAME ARGS...: runs `hull serve ARGS` on 127.0.0.1:0 in the background and waits (at most
# 30 s) for its --port-file. Sets PORT, ADMIN (the admin port, when --admin-addr was given) and
# PID; stderr goes to $work/NAME.err.
start() {
  local name=$1
  shift
  rm -f "$work/$name.port"
  "$hull" serve --addr 127.0.0.1:0 --port-file "$work/$name.port" "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 300); do
    [ -s "$work/$name.port" ] && break
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.1
  done
  if [ ! -s "$work/$name.port" ]; then
    echo "FAIL $name: hull serve did not start:"
    cat "$work/$name.err"
    exit 1
  fi
  PORT=$(cat "$work/$name.port")
  ADMIN=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$work/$name.err")
  echo "---- $name: hull serve $* on port $PORT${ADMIN:+ (admin $ADMIN)}"
}

# stop NAME: SIGTERM to the server started last; it must exit 0 within 15 s (under ASan a leak
# or a sanitizer report would change that) and print no sanitizer report.
stop() {
  local status
  kill -TERM "$PID"
  for _ in $(seq 150); do
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2> /dev/null; then
    status="still running after 15 s"
  else
    wait "$PID"
    status=$?
  fi
  check "$1: exit status after SIGTERM" "0" "$status"
  check "$1: no sanitizer report" "0" "$(grep -c 'Sanitizer\|runtime error:' "$work/$1.err")"
}

# get URL_PATH [CURL_ARGS...]: prints "STATUS BODY" (body on one line); headers in $work/h.
get() {
  local path=$1
  shift
  local status
  status=$(curl -sS -m 20 -o "$work/body" -D "$work/h" -w '%{http_code}' "$@" \
    "http://127.0.0.1:$PORT$path" 2> "$work/curl.err") || status="curl-error($(cat "$work/curl.err"))"
  echo "$status $(tr '\n' ' ' < "$work/body" 2> /dev/null | sed 's/ $//')"
}
header() { tr -d '\r' < "$work/h" | sed -n "s/^$1: //Ip" | head -1; }
metric() { curl -sS -m 10 "http://127.0.0.1:$ADMIN/metrics" | sed -n "s/^$1 //p" | head -1; }

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
requests=$((requests + 5))

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

check "metrics: 200s" "12" "$(metric 'hull_requests_total{route="\/...",status="200"}')"
check "metrics: 404s" "1" "$(metric 'hull_requests_total{route="\/...",status="404"}')"
check "metrics: 500s" "2" "$(metric 'hull_requests_total{route="\/...",status="500"}')"
check "metrics: traps" "1" "$(metric hull_traps_total)"
check "metrics: fuel exhausted" "1" "$(metric hull_fuel_exhausted_total)"
check "metrics: instances (one per request that reached the guest)" "15" "$(metric hull_instances_total)"
check "metrics: in flight (none)" "0" "$(metric hull_requests_in_flight)"
check "admin /healthz" "ok" "$(curl -sS -m 10 "http://127.0.0.1:$ADMIN/healthz")"

check "access log: one line per request" "$requests" "$(wc -l < "$work/a.log")"
check_match "access log: a line's form" \
  '^[0-9T:-]+Z 127\.0\.0\.1:[0-9]+ "PUT /echo" 200 [0-9]+ [0-9]+us$' "$(grep '"PUT /echo"' "$work/a.log")"
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
for _ in $(seq 150); do
  kill -0 "$PID" 2> /dev/null || break
  sleep 0.1
done
if kill -0 "$PID" 2> /dev/null; then
  status="still running after 15 s"
else
  wait "$PID"
  status=$?
fi
ms=$(($(now_ms) - t0))
check "shutdown: exit status" "0" "$status"
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
  check "JS: GET /other/path" "200 hello from js /other/path" "$(get /other/path)"
  check "JS: metrics: 200s" "2" "$(metric 'hull_requests_total{route="\/...",status="200"}')"
  stop js
fi
}

if [ -n "$npm_tools" ]; then
  js_tests
else
  app_tests
fi

echo "serve: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

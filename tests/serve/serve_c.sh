#!/usr/bin/env bash
# `hull serve` of the C wasi:http component (tests/serve/c, built by tests/serve/c/build.sh) on
# loopback: every route with its status, exact body and headers (/hello, /json, /headers,
# /query, /echo with 1 MB compared byte for byte, 404s), then keep-alive, concurrent requests,
# the metrics and a clean SIGTERM.
#
#   tests/serve/serve_c.sh HULL COMPONENT
#
# Every check prints what it expected and what it got; every wait is bounded; the server is
# killed on exit. Speed is never asserted (bench/serve/run.sh measures it).
set -uo pipefail

hull=${1:?usage: serve_c.sh HULL COMPONENT}
component=${2:?usage: serve_c.sh HULL COMPONENT}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
client=$here/client.py
work=$(mktemp -d)
# The shared harness: check, check_match, summary, now_ms, cleanup (kills pids), serve_start,
# stop, http_status, metric.
. "$here/lib.sh"
trap cleanup EXIT

[ -s "$component" ] || { echo "FAIL: no component at $component (tests/serve/c/build.sh)"; exit 1; }

# ---- the server ---------------------------------------------------------------------------------
# 4 MB bodies at most (the /json limit of 64 KiB is the guest's own); metrics on an admin port.
serve_start server --admin-addr 127.0.0.1:0 --max-body 4M "$component"
echo "---- hull serve $component on port $PORT (admin ${ADMIN:-?})"

# get URL_PATH [CURL_ARGS...]: prints "STATUS BODY" (newlines in the body as '|'); the headers
# are in $work/h, the raw body in $work/body.
get() {
  local status
  status=$(http_status "http://127.0.0.1:$PORT$1" "${@:2}")
  echo "$status $(tr '\n' '|' < "$work/body" 2> /dev/null)"
}
# header NAME: the values of response header NAME, comma-separated in order.
header() { tr -d '\r' < "$work/h" | sed -n "s/^$1: //Ip" | paste -sd, -; }
post_json() { get /json -H 'content-type: application/json' --data-binary "$1"; }

# ---- /hello and 404s ------------------------------------------------------------------------------
check "GET /hello" "200 hello from C" "$(get /hello)"
check "GET /hello: header x-hull-c" "hello" "$(header x-hull-c)"
check "GET /hello: content-type" "text/plain" "$(header content-type)"
check "GET /hello?q=1 (the query is not the path)" "200 hello from C" "$(get '/hello?q=1')"
check "GET /nope: 404 naming the path" "404 not found: /nope" "$(get /nope)"
check "GET /nope: content-type" "text/plain" "$(header content-type)"
check "GET /hello/more: 404" "404 not found: /hello/more" "$(get /hello/more)"
check "GET /nope?x=1: 404 without the query" "404 not found: /nope" "$(get '/nope?x=1')"
check "GET /: 404" "404 not found: /" "$(get /)"

# ---- /json ---------------------------------------------------------------------------------------
check "POST /json {a:1,b:2}" '200 {"sum":3}' "$(post_json '{"a":1,"b":2}')"
check "POST /json: content-type" "application/json" "$(header content-type)"
check "POST /json with spaces, a negative and an escaped name" '200 {"sum":2}' \
  "$(post_json $' {\n "a" : -5 ,\t"b\\"c\\u0041" : 7 } ')"
check "POST /json {}" '200 {"sum":0}' "$(post_json '{}')"
check "POST /json: INT64_MAX" '200 {"sum":9223372036854775807}' "$(post_json '{"a":9223372036854775807}')"
check "POST /json: INT64_MIN" '200 {"sum":-9223372036854775808}' \
  "$(post_json '{"a":-9223372036854775808}')"
check "POST /json: a number over INT64_MAX" \
  '400 {"error":"bad JSON at byte 24: integer out of range"}' "$(post_json '{"a":9223372036854775808}')"
check "POST /json: a sum over INT64_MAX" \
  '400 {"error":"bad JSON at byte 30: sum out of range"}' \
  "$(post_json '{"a":9223372036854775807,"b":1}')"
check "POST /json: truncated" '400 {"error":"bad JSON at byte 7: expected a string"}' \
  "$(post_json '{"a":1,')"
check "POST /json: content-type of an error" "application/json" "$(header content-type)"
check "POST /json: a fraction" '400 {"error":"bad JSON at byte 6: expected an integer, not a fraction"}' \
  "$(post_json '{"a":1.5}')"
check "POST /json: a string value" '400 {"error":"bad JSON at byte 5: expected an integer"}' \
  "$(post_json '{"a":"1"}')"
check "POST /json: an array" '400 {"error":"bad JSON at byte 0: expected an object"}' "$(post_json '[1,2]')"
check "POST /json: data after the object" \
  '400 {"error":"bad JSON at byte 8: unexpected data after the object"}' "$(post_json '{"a":1} x')"
check "POST /json: a missing colon" '400 {"error":"bad JSON at byte 5: expected '"':'"'"}' \
  "$(post_json '{"a" 1}')"
check "POST /json: an empty body" '400 {"error":"bad JSON at byte 0: expected an object"}' \
  "$(get /json -X POST)"
check "GET /json: 405" '405 {"error":"use POST"}' "$(get /json)"
check "GET /json: allow" "POST" "$(header allow)"
{ printf '{"a":1,"pad":0'; head -c 70000 /dev/zero | tr '\0' ' '; printf '}'; } > "$work/big.json"
check "POST /json of 70 KB: 413" '413 {"error":"body over 65536 bytes"}' \
  "$(get /json -H 'Expect:' --data-binary "@$work/big.json")"
{ printf '{"a":40'; head -c 60000 /dev/zero | tr '\0' ' '; printf ',"b":2}'; } > "$work/60k.json"
check "POST /json of 60 KB (several reads)" '200 {"sum":42}' \
  "$(get /json -H 'Expect:' --data-binary "@$work/60k.json")"

# ---- /headers ------------------------------------------------------------------------------------
got=$(get /headers -A 'hull-test/1' -H 'X-Trace: abc' -H 'x-multi: 1' -H 'x-multi: 2' \
  -H 'X-Upper-Case: Value' -H 'Accept: text/x-test')
check "GET /headers: status" "200" "${got%% *}"
body=$(cat "$work/body")
for line in "user-agent: hull-test/1" "x-trace: abc" "x-multi: 1" "x-multi: 2" \
  "x-upper-case: Value" "accept: text/x-test"; do
  check "GET /headers: the body lists '$line'" "1" "$(grep -cxF "$line" <<< "$body")"
done
check "GET /headers: x-trace echoed" "abc" "$(header x-trace)"
check "GET /headers: both x-multi echoed, in order" "1,2" "$(header x-multi)"
check "GET /headers: X-Upper-Case echoed" "Value" "$(header x-upper-case)"
check "GET /headers: accept is not echoed (not x-*)" "" "$(header accept)"
check "GET /headers: content-type" "text/plain" "$(header content-type)"

# ---- /query --------------------------------------------------------------------------------------
check "GET /query?x=1&y=a%20b" '200 {"x":"1","y":"a b"}' "$(get '/query?x=1&y=a%20b')"
check "GET /query: content-type" "application/json" "$(header content-type)"
check "GET /query: '+', %-escapes in names, %C3%A9" '200 {"a b":"c d","é":"ü"}' \
  "$(get '/query?a+b=c+d&%C3%A9=%c3%bc')"
check "GET /query: flags, empty values, empty pairs" '200 {"flag":"","x":"","y":"="}' \
  "$(get '/query?flag&&x=&y==')"
check "GET /query without a query" '200 {}' "$(get /query)"
check "GET /query: quote, backslash, newline escaped in the JSON" \
  '200 {"q":"say \"hi\"\\\u000a"}' "$(get '/query?q=say%20%22hi%22%5C%0A')"
# (a '|' after the value: $(...) would drop its trailing newline)
check "GET /query: the answer is valid JSON with the decoded value" 'say "hi"\'$'\n''|' \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["q"] + "|", end="")' "$work/body")"
check "GET /query?x=%zz: 400" '400 {"error":"bad percent-encoding in the query"}' "$(get '/query?x=%zz')"
check "GET /query?x=%4: 400" '400 {"error":"bad percent-encoding in the query"}' "$(get '/query?x=%4')"

# ---- /echo ---------------------------------------------------------------------------------------
check "POST /echo" "200 ping 123" "$(get /echo --data-binary 'ping 123')"
check "POST /echo: content-type" "application/octet-stream" "$(header content-type)"
check "POST /echo with no body" "200 " "$(get /echo -X POST)"
head -c 1048576 /dev/urandom > "$work/1m"
got=$(curl -sS -m 30 -o "$work/body" -w '%{http_code}' -X PUT -H 'Expect:' --data-binary "@$work/1m" \
  "http://127.0.0.1:$PORT/echo" 2>&1)
cmp -s "$work/1m" "$work/body" && same=identical || same="different ($(wc -c < "$work/body") bytes)"
check "PUT /echo of 1 MiB of random bytes: status, body" "200 identical" "$got $same"

# ---- a fresh instance per request ----------------------------------------------------------------
# /state counts the requests its instance answered and shows its memory's size and arena top:
# an instance reset to its snapshot (the default) must show what a new one shows, also after a
# request that grew its memory (/json of 60 KB reads its body into the arena).
first=$(get /state)
check_match "GET /state: one visit" '^200 visits=1 pages=[0-9]+ heap=[0-9]+\|?$' "$first"
check "POST /json of 55 KB" '200 {"sum":1}' "$(post_json "{$(printf '"k%05d":0,' $(seq 1 5000))\"z\":1}")"
for i in 1 2 3; do
  check "GET /state again ($i): the same as the first" "$first" "$(get /state)"
done

# ---- keep-alive, concurrency ---------------------------------------------------------------------
got=$(python3 "$client" keepalive "$PORT" 5)
check "keep-alive: 5 answers" "200 200 200 200 200" "$(awk '{print $1}' <<< "$got" | xargs)"
check "keep-alive: one connection" "1" "$(awk '{print $2}' <<< "$got" | sort -u | wc -l)"
check "keep-alive: every body" "hello from C" "$(cut -d' ' -f3- <<< "$got" | sort -u)"
# 200 requests from 8 clients at once, each answered by a fresh instance.
seq 200 | xargs -P 8 -I{} curl -sS -m 20 -o /dev/null -w '%{http_code}\n' \
  "http://127.0.0.1:$PORT/query?n={}" > "$work/many" 2>&1
check "200 concurrent requests: all 200" "200 200" "$(wc -l < "$work/many" | xargs) $(grep -c '^200$' "$work/many")"

# ---- metrics, shutdown ---------------------------------------------------------------------------
if [ -n "$ADMIN" ]; then
  check "metrics: no traps" "0" "$(metric hull_traps_total)"
  check "metrics: 404s" "4" "$(metric 'hull_requests_total{route="\/...",status="404"}')"
  # The /state checks above saw reset instances, not only new ones.
  resets=$(metric hull_instances_reset_total)
  check "metrics: instances reset for reuse (some)" "yes" "$([ "${resets:-0}" -gt 0 ] && echo yes || echo "no: $resets")"
fi
# The one server: its checks keep their plain names ("exit status after SIGTERM").
stop server ""

summary serve.c

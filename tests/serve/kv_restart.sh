#!/usr/bin/env bash
# serve.kv-restart: tests/serve/kv.wat under `hull serve tests/serve/kv/spin.toml` with the
# default backend (SQLite in --state-dir, no runtime config) on loopback. Its routes (set, get,
# incr and their errors), 2,000 concurrent increments from 8 connections over 2 workers (the
# answers exactly 1..2000), then SIGTERM and a second `hull serve` on the same --state-dir:
# every value is still there and the counter goes on from where it stopped. A third server on
# another --state-dir sees none of it. With a Redis store nobody listens for, each request is a
# 500 whose body is the store's error (the guest reports it; the server stays up).
#
#   tests/serve/kv_restart.sh HULL
set -uo pipefail

hull=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
app=$here/kv/spin.toml
work=$(mktemp -d)
# The shared harness: check, check_match, summary, now_ms, cleanup (kills pids), serve_start,
# stop, http_status, metric.
. "$here/lib.sh"
trap cleanup EXIT

# start NAME STATE_DIR [ARGS...]: hull serve on 127.0.0.1:0 (2 workers); sets PORT and PID.
# --max-body is explicit: the 200 KB value below must fit whatever the default is.
start() {
  local name=$1 state=$2
  shift 2
  serve_start "$name" --workers 2 --max-body 1M --state-dir "$state" "$@" "$app"
  echo "---- $name: hull serve $app --state-dir $state on port $PORT"
}
# stop NAME is lib.sh's. get URL_PATH [CURL_ARGS...]: "STATUS BODY", the body as it came.
get() {
  local status
  status=$(http_status "http://127.0.0.1:$PORT$1" "${@:2}")
  echo "$status $(cat "$work/body" 2> /dev/null)"
}

# ---- first run: the routes, then values to keep ------------------------------------------------
state=$work/state
start first "$state"
check "GET /get/greeting before any set" "404 no such key: greeting" "$(get /get/greeting)"
check "PUT /set/greeting" "200 stored" "$(get /set/greeting -X PUT --data-binary 'hello, sqlite')"
check "GET /get/greeting" "200 hello, sqlite" "$(get /get/greeting)"
check "POST /set/greeting (POST stores too)" "200 stored" \
  "$(get /set/greeting --data-binary 'hello again, sqlite')"
check "GET /set/greeting: not a PUT or POST" "405 method not allowed" "$(get /set/greeting)"
check "GET /incr/ (no key)" "400 empty key" "$(get /incr/)"
check "GET /other: no route of the component" "404 not found: /other" "$(get /other)"
check "GET /incr/visits?x=1 (the query is not the key)" "200 1" "$(get '/incr/visits?x=1')"
check "GET /incr/visits" "200 2" "$(get /incr/visits)"
check "GET /incr/visits" "200 3" "$(get /incr/visits)"
check "GET /get/visits (a counter is its decimal text)" "200 3" "$(get /get/visits)"
# A body of 200 KB arrives in many reads; it must be stored whole.
head -c 150000 /dev/urandom | base64 -w 0 > "$work/big"
check "PUT /set/big (200 KB)" "200 stored" "$(get /set/big -X PUT -H 'Expect:' --data-binary "@$work/big")"
get /get/big > /dev/null
check "GET /get/big: the same 200 KB" "identical" \
  "$(cmp -s "$work/big" "$work/body" && echo identical || echo "different ($(wc -c < "$work/body") bytes)")"
got=$(timeout 120 python3 "$here/kv_load.py" "127.0.0.1:$PORT" /incr/hits 2000 8 "$work/answers")
check "2000 concurrent increments: statuses" "200=2000 error=0" "$got"
check "the answers are exactly 1..2000 (each once)" "2000 1 2000" \
  "$(sort -n "$work/answers" | uniq | awk 'NR == 1 {lo = $1} {n++; hi = $1} END {print n, lo, hi}')"
check "the store is a SQLite file in the state directory" "SQLite format 3" \
  "$(head -c 15 "$state/default.db" 2> /dev/null)"
stop first

# ---- second run on the same state directory ------------------------------------------------------
start second "$state"
check "after the restart: /get/greeting" "200 hello again, sqlite" "$(get /get/greeting)"
check "after the restart: /get/visits" "200 3" "$(get /get/visits)"
check "after the restart: /get/hits" "200 2000" "$(get /get/hits)"
get /get/big > /dev/null
check "after the restart: /get/big" "identical" \
  "$(cmp -s "$work/big" "$work/body" && echo identical || echo different)"
check "after the restart: /incr/visits goes on" "200 4" "$(get /incr/visits)"
stop second

# ---- a third run on another state directory sees nothing ----------------------------------------
start third "$work/other-state"
check "another state directory: /get/greeting" "404 no such key: greeting" "$(get /get/greeting)"
check "another state directory: /incr/visits starts at 1" "200 1" "$(get /incr/visits)"
stop third

# ---- a store that cannot be reached: the guest answers the store's error -----------------------
port_closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '[key_value_store.default]\ntype = "redis"\nurl = "redis://127.0.0.1:%s"\n' "$port_closed" \
  > "$work/unreachable.toml"
start unreachable "$work/unused-state" --runtime-config "$work/unreachable.toml"
got=$(get /incr/visits)
check "Redis not reachable: /incr/visits is a 500" "500" "${got%% *}"
check_match "Redis not reachable: the body is the store's error, naming the address" \
  "^500 kv error: .*127\.0\.0\.1:$port_closed" "$got"
check "Redis not reachable: the next request still gets an answer" "500" "$(get /get/greeting | cut -d' ' -f1)"
stop unreachable

summary serve.kv-restart

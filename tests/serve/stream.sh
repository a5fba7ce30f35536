#!/usr/bin/env bash
# `hull serve` streaming request and response bodies, end to end on loopback, with the
# hand-written component tests/serve/app.wat (its /echo reads the request body 4 KiB at a time
# and writes each piece back): 100 MB through with the server's RSS flat, a chunked upload,
# Expect: 100-continue on a streamed body, a client gone mid-upload, a guest that fails
# mid-stream (fuel, deadline), a slow uploader beside prompt /hello answers on the same worker,
# --max-body on a chunked body. tests/serve/stream_client.py sends and reads concurrently and
# compares SHA-256 digests (nothing of the size is stored).
#
#   tests/serve/stream.sh HULL
#
# Every check prints what it expected and what it got; every wait is bounded; every process
# started is killed on exit. Speed is never asserted: time bounds only catch a hang or a stall.
set -uo pipefail

hull=$1
# Under AddressSanitizer (make test-asan) freed memory waits in ASan's quarantine (256 MB), so
# RSS says nothing about streaming there, and the interpreter is many times slower: the big
# transfer shrinks to 16 MiB and its RSS is reported, not bounded.
asan=0
grep -q AddressSanitizer "$hull" && asan=1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
client=$here/stream_client.py
work=$(mktemp -d)
# The shared harness: check, check_match, summary, now_ms, cleanup (kills pids), serve_start,
# stop, http_status, metric.
. "$here/lib.sh"
trap cleanup EXIT
# field KEY LINE: the value of KEY=... in a stream_client.py line.
field() { tr ' ' '\n' <<< "$2" | sed -n "s/^$1=//p"; }

# start NAME ARGS...: hull serve ARGS on 127.0.0.1:0 with an admin address (serve_start: sets
# PORT, ADMIN, PID), then says what it started. stop NAME is lib.sh's.
start() {
  local name=$1
  shift
  serve_start "$name" --admin-addr 127.0.0.1:0 "$@"
  echo "---- $name: hull serve $* on port $PORT (admin $ADMIN)"
}
hello() { curl -sS -m 20 -w ' %{http_code}' "http://127.0.0.1:$PORT/hello" 2>&1; }
# Waits (at most 10 s) until nothing is in flight.
settle() {
  for _ in $(seq 100); do
    [ "$(metric hull_requests_in_flight)" == 0 ] && return
    sleep 0.1
  done
}

# ---- A: 100 MB each way, RSS flat --------------------------------------------------------------
start a "$here/app.wat"
# Warm up first: the first streamed request makes what every later one reuses (the allocator's
# arena for stream threads, the interpreter's code), which is not growth per byte.
got=$(python3 "$client" echo "$PORT" $((4 << 20)) --total-timeout 60)
check "warm-up: 4 MiB echo" "200 yes yes" "$(field status "$got") $(field match "$got") $(field complete "$got")"

size=$((100 << 20))
[ "$asan" == 1 ] && size=$((16 << 20))
got=$(python3 "$client" echo "$PORT" "$size" --pid "$PID" --total-timeout 400)
echo "     ($got)"
check "$((size >> 20)) MiB echo: status, every byte back (sha256), framing complete" "200 yes yes" \
  "$(field status "$got") $(field match "$got") $(field complete "$got")"
check "$((size >> 20)) MiB echo: bytes sent and received" "$size $size" \
  "$(field sent "$got") $(field received "$got")"
check "$((size >> 20)) MiB echo: the answer is chunked (the guest set no length)" "chunked" \
  "$(field framing "$got")"
# The bound: a buffering server would grow by 100-200 MB here. What streaming holds per request
# is a thread stack (touched pages only), Beast's read buffer (64 KiB), one read chunk (64 KiB),
# the guest's memory and the body pipe (at most 1 MiB): a few MB at most. 16 MB leaves room for
# allocator noise and is still far below the body's size.
before=$(field rss_before_kb "$got")
peak=$(field rss_max_kb "$got")
growth=$((peak - before))
echo "     (RSS before ${before} kB, peak ${peak} kB, growth ${growth} kB)"
if [ "$asan" == 0 ]; then
  check "100 MiB echo: RSS grew by less than 16 MB" "yes" \
    "$([ -n "$before" ] && [ "$growth" -lt 16384 ] && echo yes || echo "no (${growth} kB)")"
fi

got=$(python3 "$client" echo "$PORT" $((3 << 20)) --chunked --total-timeout 60)
check "chunked upload of 3 MiB: status, every byte back, complete" "200 yes yes" \
  "$(field status "$got") $(field match "$got") $(field complete "$got")"
got=$(python3 "$client" echo "$PORT" $((1 << 20)) --expect --total-timeout 60)
check "Expect: 100-continue on a streamed body: 100, then the echo of 1 MiB" "100 200 yes yes" \
  "$(field interim "$got") $(field status "$got") $(field match "$got") $(field complete "$got")"
got=$(python3 "$client" echo "$PORT" 300000 --total-timeout 60)
check "a 300 KB upload (over the buffered size)" "200 yes" "$(field status "$got") $(field match "$got")"
# Small streamed answers one after another on a kept-alive connection: each is two writes (a
# chunk, then the last chunk) with nothing from the client between them. A socket that delays
# small writes (Nagle's algorithm, without TCP_NODELAY) holds the second until the client's
# delayed ACK: ~40 ms for every answer after the first few. The bound catches that stall; an
# answer takes well under a millisecond here (a few under ASan).
got=$(python3 "$client" keepalive "$PORT" 20)
echo "     (20 streamed echoes on one connection: $got)"
check "20 small streamed echoes on one connection: every body back" "20" "$(field answered "$got")"
median=$(field median_ms "$got")
check "small streamed answers on a kept-alive connection are not held back (median < 30 ms)" "yes" \
  "$(python3 -c "print('yes' if float('${median:-1e9}') < 30 else 'no (${median} ms)')")"

got=$(python3 "$client" echo "$PORT" $((50 << 20)) --stop-after $((1 << 20)) --total-timeout 60)
echo "     (client gone after 1 MiB of 50 MiB: $got)"
check "client gone mid-upload: the next request works" "hello from hull serve 200" "$(hello)"
settle
check "client gone mid-upload: nothing left in flight" "0" "$(metric hull_requests_in_flight)"
got=$(python3 "$client" echo "$PORT" $((2 << 20)) --total-timeout 60)
check "client gone mid-upload: a 2 MiB echo afterwards" "200 yes yes" \
  "$(field status "$got") $(field match "$got") $(field complete "$got")"
stop a

# ---- B: a guest failing mid-stream --------------------------------------------------------------
# Fuel enough for small answers, not for 64 MiB echoed 4 KiB at a time: the guest runs out in
# the middle, after its answer began. The answer cannot become a 500: the connection closes
# before the answer's end, the client sees it incomplete.
start b "$here/app.wat" --fuel 2000000
got=$(python3 "$client" echo "$PORT" $((64 << 20)) --total-timeout 120)
echo "     ($got)"
check "out of fuel mid-stream: 200 began, incomplete, connection closed" "200 no yes" \
  "$(field status "$got") $(field complete "$got") $(field closed "$got")"
check "out of fuel mid-stream: some of the body came back" "yes" \
  "$([ "$(field received "$got")" -gt 0 ] && [ "$(field received "$got")" -lt $((64 << 20)) ] \
    && echo yes || echo "no ($(field received "$got"))")"
check "out of fuel mid-stream: the next request works" "hello from hull serve 200" "$(hello)"
check "out of fuel mid-stream: counted (fuel exhausted)" "1" "$(metric hull_fuel_exhausted_total)"
stop b

# A deadline while the guest waits for body bytes: 1 MiB, then the client stalls. The wait ends
# at the deadline, the guest is interrupted, the answer (begun) is cut.
start c "$here/app.wat" --timeout 1s
t0=$(now_ms)
got=$(python3 "$client" echo "$PORT" $((8 << 20)) --pace $((1 << 20)):30000 --total-timeout 60)
ms=$(($(now_ms) - t0))
echo "     ($got; ${ms} ms)"
check "deadline while the upload stalls: 200 began, incomplete, closed" "200 no yes" \
  "$(field status "$got") $(field complete "$got") $(field closed "$got")"
check "deadline while the upload stalls: ended within 20 s (not the client's 30 s pause)" "yes" \
  "$([ "$ms" -lt 20000 ] && echo yes || echo "no ($ms ms)")"
check "deadline: counted" "1" "$(metric hull_deadline_exceeded_total)"
check "deadline: the next request works" "hello from hull serve 200" "$(hello)"
stop c

# ---- D: a slow uploader does not stall its worker -----------------------------------------------
# One worker: the slow upload (4 KiB every 100 ms, about 6 s) and the /hello requests share it.
start d "$here/app.wat" --workers 1 --admin-addr 127.0.0.1:0
python3 "$client" echo "$PORT" $((240 << 10)) --pace 4096:100 --total-timeout 60 > "$work/slow" &
pids+=($!)
slow=$!
sleep 1
worst=0
for i in 1 2 3 4 5; do
  t0=$(now_ms)
  got=$(hello)
  ms=$(($(now_ms) - t0))
  [ "$ms" -gt "$worst" ] && worst=$ms
  [ "$got" == "hello from hull serve 200" ] || break
  sleep 0.2
done
check "slow uploader: /hello beside it answered" "hello from hull serve 200" "$got"
echo "     (slowest /hello: $worst ms)"
check "slow uploader: every /hello within 2 s (the upload takes about 6 s)" "yes" \
  "$([ "$worst" -lt 2000 ] && echo yes || echo "no ($worst ms)")"
check "slow uploader: still in progress after the /hello requests" "yes" \
  "$(kill -0 "$slow" 2> /dev/null && echo yes || echo no)"
wait "$slow"
got=$(cat "$work/slow")
check "slow uploader: its echo complete" "200 yes yes" \
  "$(field status "$got") $(field match "$got") $(field complete "$got")"

# SIGTERM during a streamed upload: the listener closes, the upload in flight completes, then
# the server exits 0 (stop checks the exit).
python3 "$client" echo "$PORT" $((80 << 10)) --pace 4096:100 --total-timeout 60 > "$work/slow2" &
pids+=($!)
slow=$!
# SIGTERM once the upload is in flight (python's start-up alone can take most of a second on a
# loaded machine): then it is under way for about 2 s more.
for _ in $(seq 100); do
  [ "$(metric hull_requests_in_flight)" == 1 ] && break
  sleep 0.05
done
check "SIGTERM during a streamed upload: the upload is in flight" "1" \
  "$(metric hull_requests_in_flight)"
kill -TERM "$PID"
wait "$slow"
got=$(cat "$work/slow2")
check "SIGTERM during a streamed upload: the upload completes" "200 yes yes" \
  "$(field status "$got") $(field match "$got") $(field complete "$got")"
stop d

# ---- E: --max-body on a streamed (chunked) body -------------------------------------------------
# The body stops at the limit: the guest's read fails there (app.wat takes that as the end).
start e "$here/app.wat" --max-body 1M
got=$(python3 "$client" echo "$PORT" $((3 << 20)) --chunked --total-timeout 60)
echo "     ($got)"
check "chunked body over --max-body 1M: the guest read at most 1 MiB" "yes" \
  "$([ "$(field received "$got")" -le $((1 << 20)) ] && echo yes || echo "no ($(field received "$got"))")"
check "chunked body over --max-body 1M: the connection closed after" "yes" "$(field closed "$got")"
check "chunked body over --max-body 1M: the next request works" "hello from hull serve 200" "$(hello)"
stop e

summary stream

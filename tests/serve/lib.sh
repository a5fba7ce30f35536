# shellcheck shell=bash disable=SC2154,SC2034  # hull, work: the caller's; PORT, ADMIN: for it
# The harness the tests/serve/*.sh scripts share; sourced, never run. Each script sets hull (the
# binary) and work (its mktemp -d directory) before calling anything here; the functions read
# them, and PID, PORT and ADMIN, when called, so sourcing order only matters for the counters.
# What differs between scripts stays in them: how `get` prints a body (serve.sh joins lines with
# spaces, serve_c.sh with '|', the kv scripts keep it raw), `header` (first value or all),
# scale.sh's `metric` (per backend) and cleanup (topology down), and each `start` banner.

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
# summary NAME: the last line of every script, "NAME: N passed, N failed"; its status (the
# script's, as its last command) is non-zero when any check failed.
summary() {
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
now_ms() { date +%s%3N; }

# Every process started goes into pids, killed on exit (the scripts `trap cleanup EXIT`).
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null; done
  wait 2> /dev/null
  rm -rf "$work"
}

# serve_start NAME ARGS...: runs `hull serve --addr 127.0.0.1:0 --port-file ... ARGS` in the
# background and waits (at most 30 s) for the port file; a server that exits first, or never
# writes it, ends the script with its stderr. Sets PID, PORT and ADMIN (the admin port, empty
# unless ARGS has --admin-addr); stdout and stderr go to $work/NAME.out and $work/NAME.err.
# Prints nothing on success: each script's `start` says what it started.
serve_start() {
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
}

# await_exit: waits (at most 15 s) for $PID, already signalled, to end; sets exit_status to its
# status or "still running after 15 s". Not in a subshell: `wait` only reaps a child of this
# shell, so the caller reads exit_status rather than $(await_exit).
await_exit() {
  for _ in $(seq 150); do
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.1
  done
  if kill -0 "$PID" 2> /dev/null; then
    exit_status="still running after 15 s"
  else
    wait "$PID"
    exit_status=$?
  fi
}

# stop NAME [LABEL]: SIGTERM to the server started last ($PID); it must exit 0 within 15 s
# (under ASan a leak or a sanitizer report would change that) and $work/NAME.err must hold no
# sanitizer report. The checks are named "NAME: ..." unless LABEL (may be empty) replaces that.
stop() {
  local label=${2-"$1: "}
  kill -TERM "$PID" 2> /dev/null
  await_exit
  check "${label}exit status after SIGTERM" "0" "$exit_status"
  check "${label}no sanitizer report" "0" "$(grep -c 'Sanitizer\|runtime error:' "$work/$1.err")"
}

# http_status URL [CURL_ARGS...]: requests URL, prints its status code (or "curl-error(why)");
# the body is in $work/body, the headers in $work/h. Each script's `get` prints the body its way.
http_status() {
  local url=$1 status
  shift
  # Captured first: on failure curl still writes its -w ("000"), which the error replaces.
  status=$(curl -sS -m 20 -o "$work/body" -D "$work/h" -w '%{http_code}' "$@" "$url" \
    2> "$work/curl.err") || status="curl-error($(cat "$work/curl.err"))"
  echo "$status"
}
# metric NAME: NAME's value on the admin port of the server started last ($ADMIN).
metric() { curl -sS -m 10 "http://127.0.0.1:$ADMIN/metrics" | sed -n "s/^$1 //p" | head -1; }

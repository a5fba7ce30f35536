#!/usr/bin/env bash
# wasi:sockets end to end under `hull run`, with the hand-written WASI 0.2 commands of
# tests/cli/sockets/ (see each .wat's header):
#   - tcp-server.wat and tcp-client.wat talk over loopback when granted (-S inherit-network):
#     the client sends "hello sockets", the server answers it uppercased;
#   - without the grant, or with -S tcp=n, both are refused with access-denied (exit 1), and a
#     client refused while a server listens never reaches it; a second server on a taken port
#     gets address-in-use, a client with nobody listening connection-refused;
#   - udp-echo.wat does a UDP round trip between two sockets of one component; access-denied
#     without the grant or with -S udp=n;
#   - lookup.wat resolves localhost (and literal addresses) only with -S allow-ip-name-lookup;
#     without it Hull answers, as Wasmtime does, permanent-resolver-failure; a malformed name
#     is invalid-argument either way.
# Loopback only; every run is under `timeout`, every wait bounded, and the background server
# is killed on exit.
# usage: sockets.sh HULL
set -u
HULL="$1"
dir="$(cd "$(dirname "$0")/sockets" && pwd)"
tmp=$(mktemp -d)
server_pid=""  # the background tcp-server, while it runs
run_pid=""     # the command `run` waits for, while it runs
cleanup() {
  local pid
  for pid in $run_pid $server_pid; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail=0

# run CMD...: runs CMD for at most 20 s, stdout in $tmp/out, stderr in $tmp/err, its exit
# status in $status. (In the background and waited for, so that a signal to this script
# interrupts the wait and the cleanup kills CMD.)
run() {
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" &
  run_pid=$!
  wait "$run_pid"
  status=$?
  run_pid=""
}

# expect NAME STATUS STDOUT CMD...: CMD exits with STATUS and prints exactly STDOUT (without
# its final newline) on stdout; else prints both, and stderr.
expect() {
  local name="$1" want_status="$2" want="$3" got
  shift 3
  run "$@"
  got=$(cat "$tmp/out")
  if [[ $status -ne $want_status || "$got" != "$want" ]]; then
    echo "FAIL $name: $*"
    echo "  status $status (want $want_status)"
    echo "  stdout:"; printf '%s\n' "$got" | sed 's/^/    /'
    echo "  want:";   printf '%s\n' "$want" | sed 's/^/    /'
    if [[ -s "$tmp/err" ]]; then echo "  stderr:"; sed 's/^/    /' "$tmp/err"; fi
    fail=1
  else
    echo "ok   $name"
  fi
}

# A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick for port 0); without
# python3, a random one (start_server then retries on address-in-use).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    2>/dev/null || echo $((20000 + RANDOM % 40000))
}

# start_server: runs tcp-server.wat on a free $port in the background (at most 60 s) and
# waits (at most 10 s) for its "listening"; up to 5 ports when one turns out to be taken.
start_server() {
  local attempt i
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    : >"$tmp/server.out"
    timeout 60 "$HULL" run -S inherit-network "$dir/tcp-server.wat" "$port" \
      >"$tmp/server.out" 2>"$tmp/server.err" &
    server_pid=$!
    for i in $(seq 100); do
      grep -qx listening "$tmp/server.out" && return 0
      kill -0 "$server_pid" 2>/dev/null || break  # it exited: address-in-use, or a failure
      sleep 0.1
    done
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=""
    grep -qx "error: address-in-use" "$tmp/server.out" || break
  done
  echo "FAIL tcp-server did not print 'listening' on port $port; stdout:"
  sed 's/^/    /' "$tmp/server.out"; echo "  stderr:"; sed 's/^/    /' "$tmp/server.err"
  fail=1
  return 1
}

# finish_server NAME STDOUT: the background server exits 0 (within its timeout) having printed
# exactly STDOUT.
finish_server() {
  local name="$1" want="$2" status got
  wait "$server_pid"
  status=$?
  server_pid=""
  got=$(cat "$tmp/server.out")
  if [[ $status -ne 0 || "$got" != "$want" ]]; then
    echo "FAIL $name: status $status (want 0); stdout:"; printf '%s\n' "$got" | sed 's/^/    /'
    echo "  want:"; printf '%s\n' "$want" | sed 's/^/    /'
    echo "  stderr:"; sed 's/^/    /' "$tmp/server.err"
    fail=1
  else
    echo "ok   $name"
  fi
}

SERVER="$dir/tcp-server.wat"
CLIENT="$dir/tcp-client.wat"

# ---- TCP --------------------------------------------------------------------------------------

if start_server; then
  # While the server listens: clients without the grant are refused before they connect (else
  # the server would accept them and the granted client below would find nobody listening),
  # and a second server cannot take the port.
  expect tcp-client-denied 1 "error: access-denied" "$HULL" run "$CLIENT" "$port"
  expect tcp-client-tcp-off 1 "error: access-denied" "$HULL" run -S inherit-network -S tcp=n "$CLIENT" "$port"
  expect tcp-server-port-taken 1 "error: address-in-use" "$HULL" run -S inherit-network "$SERVER" "$port"
  expect tcp-client 0 "HELLO SOCKETS" "$HULL" run -S inherit-network "$CLIENT" "$port"
  finish_server tcp-server "$(printf 'listening\nreceived: hello sockets')"
  # The server is gone: nobody listens on the port any more.
  expect tcp-client-refused 1 "error: connection-refused" "$HULL" run -S inherit-network "$CLIENT" "$port"
fi

port=$(free_port)
expect tcp-server-denied 1 "error: access-denied" "$HULL" run "$SERVER" "$port"
expect tcp-server-tcp-off 1 "error: access-denied" "$HULL" run -S inherit-network,tcp=n "$SERVER" "$port"
expect tcp-server-usage 1 "usage: tcp-server PORT (a number from 1 to 65535)" "$HULL" run -S inherit-network "$SERVER"

# ---- UDP --------------------------------------------------------------------------------------

UDP="$dir/udp-echo.wat"
expect udp-round-trip 0 "$(printf 'a received: hello over udp from 127.0.0.1\nb received: HELLO OVER UDP from 127.0.0.1')" \
  "$HULL" run -S inherit-network "$UDP"
expect udp-denied 1 "error: access-denied" "$HULL" run "$UDP"
expect udp-udp-off 1 "error: access-denied" "$HULL" run -S inherit-network -S udp=n "$UDP"

# ---- name lookup ------------------------------------------------------------------------------

LOOKUP="$dir/lookup.wat"
# localhost: one or more of 127.0.0.1 and ::1 (as the host's /etc/hosts has it), nothing else.
run "$HULL" run -S allow-ip-name-lookup "$LOOKUP" localhost
if [[ $status -eq 0 && -s "$tmp/out" ]] && ! grep -qvxE '127\.0\.0\.1|::1' "$tmp/out"; then
  echo "ok   lookup-localhost ($(tr '\n' ' ' <"$tmp/out"))"
else
  echo "FAIL lookup-localhost: status $status (want 0), stdout (want lines of 127.0.0.1 or ::1):"
  sed 's/^/    /' "$tmp/out" "$tmp/err"
  fail=1
fi
# Literal addresses resolve to themselves, an IPv4-mapped one as IPv4 (ip-name-lookup.wit: no
# IPv4-mapped address is ever returned).
expect lookup-ipv4-literal 0 "10.1.2.3" "$HULL" run -S allow-ip-name-lookup "$LOOKUP" 10.1.2.3
expect lookup-ipv6-literal 0 "::1" "$HULL" run -S allow-ip-name-lookup "$LOOKUP" "[::1]"
expect lookup-ipv6-short-form 0 "2001:db8::1:0:0:2" "$HULL" run -S allow-ip-name-lookup "$LOOKUP" 2001:db8:0:0:1:0:0:2
expect lookup-ipv4-mapped 0 "127.0.0.1" "$HULL" run -S allow-ip-name-lookup "$LOOKUP" ::ffff:127.0.0.1
expect lookup-invalid-name 1 "error: invalid-argument" "$HULL" run -S allow-ip-name-lookup "$LOOKUP" "not a name"
# Without -S allow-ip-name-lookup: permanent-resolver-failure, as Wasmtime answers (its test
# ip_name_lookup_no_ip_lookup expects it); the network grant does not include name lookup.
expect lookup-denied 1 "error: permanent-resolver-failure" "$HULL" run "$LOOKUP" localhost
expect lookup-network-only 1 "error: permanent-resolver-failure" "$HULL" run -S inherit-network "$LOOKUP" localhost
expect lookup-literal-denied 1 "error: permanent-resolver-failure" "$HULL" run "$LOOKUP" 127.0.0.1
# As in Wasmtime, the name is checked before the grant: a malformed one is invalid-argument.
expect lookup-invalid-name-denied 1 "error: invalid-argument" "$HULL" run "$LOOKUP" "not a name"

exit $fail

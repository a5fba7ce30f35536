#!/usr/bin/env bash
# serve.scale: two `hull serve` processes, each in its own network namespace, behind nginx,
# sharing one redis-server (deploy/local-topology.sh up 2 --redis), serving tests/serve/kv.wat:
# 10,000 GET /incr/counter through nginx from 16 concurrent keep-alive connections must all be
# 200, their answers must be exactly the numbers 1..10000 (every increment atomic, none lost or
# repeated), /get/counter must then say 10000, and both backends must have served some (their
# access logs and their /metrics). A value set through one backend is read through the other.
# Then `down` must leave nothing: no namespace or link with the run's prefix, no process, no
# directory.
#
#   tests/serve/scale.sh HULL
#
# Needs root: without it the test prints why and exits 77 (ctest: skipped). Without network
# namespace support, nginx or redis-server it fails, saying what is missing.
set -uo pipefail

hull=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
topology=$repo/deploy/local-topology.sh
requests=10000
connections=16

if [ "$(id -u)" != 0 ]; then
  echo "************************************************************************"
  echo "SKIPPED serve.scale: needs root (network namespaces, veth links, a bridge)"
  echo "************************************************************************"
  exit 77
fi
probe=htprobe$$
if ! ip netns add "$probe" 2> /dev/null; then
  echo "FAIL serve.scale: running as root but 'ip netns add' fails: no network namespace support"
  exit 1
fi
ip netns del "$probe"
for tool in nginx redis-server curl python3; do
  if ! command -v "$tool" > /dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "FAIL serve.scale: $tool is missing (scripts/setup.sh installs it)"
    exit 1
  fi
done

work=$(mktemp -d)
topo=$work/topology
# The shared harness (check, summary, http_status). Its cleanup and metric are replaced below:
# here the processes are the topology's (down stops them) and there is one admin port per backend.
. "$here/lib.sh"
cleanup() {
  [ -d "$topo" ] && bash "$topology" down "$topo" > /dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
# check_true WHAT CONDITION_TEXT: passes when `test`-style CONDITION holds (shown when not).
check_true() {
  local what=$1
  shift
  if [ "$@" ]; then
    passed=$((passed + 1))
    echo "ok   $what: [ $* ]"
  else
    failed=$((failed + 1))
    echo "FAIL $what: not [ $* ]"
  fi
}
# get URL [CURL_ARGS...]: "STATUS BODY".
get() {
  local status
  status=$(http_status "$@")
  echo "$status $(cat "$work/body" 2> /dev/null)"
}
metric() {  # ADMIN NAME: a metric's value from that backend's /metrics
  curl -sS -m 10 "http://$1/metrics" | sed -n "s/^$2 //p" | head -1
}

# ---- up ----------------------------------------------------------------------------------------
if ! bash "$topology" up 2 --redis --hull "$hull" --dir "$topo" -- --max-body 1M \
  > "$work/up.out" 2> "$work/up.err"; then
  echo "FAIL serve.scale: deploy/local-topology.sh up 2 --redis failed:"
  cat "$work/up.err"
  exit 1
fi
cat "$work/up.err"
value() { sed -n "s/^$1=//p" "$work/up.out"; }
prefix=$(value prefix)
front=$(value front)
IFS=, read -r -a admins <<< "$(value admins)"
echo "---- topology $prefix: nginx on $front, backends $(value backends), redis $(value redis)"
check "two backends" "2" "${#admins[@]}"
check "two namespaces with the prefix" "2" "$(ip netns list | grep -c "^$prefix-")"
check "a fresh redis: /get/counter is absent" "404 no such key: counter" \
  "$(get "http://$front/get/counter")"

# ---- 10,000 increments through nginx -------------------------------------------------------------
t0=$(date +%s%3N)
got=$(timeout 600 python3 "$here/kv_load.py" "$front" /incr/counter "$requests" "$connections" \
  "$work/answers")
ms=$(($(date +%s%3N) - t0))
echo "     ($requests increments from $connections connections in $ms ms)"
check "$requests increments: statuses" "200=$requests error=0" "$got"
check "the answers are exactly 1..$requests (each once)" "$requests 1 $requests" \
  "$(sort -n "$work/answers" | uniq | awk 'NR == 1 {lo = $1} {n++; hi = $1} END {print n, lo, hi}')"
check "the answers are all numbers" "0" "$(grep -cv '^[0-9][0-9]*$' "$work/answers")"
check "/get/counter after $requests increments" "200 $requests" "$(get "http://$front/get/counter")"

# ---- both backends took part ---------------------------------------------------------------------
n1=$(grep -c '"GET /incr/counter" 200' "$topo/backend-1.access")
n2=$(grep -c '"GET /incr/counter" 200' "$topo/backend-2.access")
echo "     (backend 1 served $n1 increments, backend 2 served $n2)"
check_true "backend 1 served increments (access log)" "$n1" -gt 0
check_true "backend 2 served increments (access log)" "$n2" -gt 0
check "the access logs add up to $requests increments" "$requests" "$((n1 + n2))"
m1=$(metric "${admins[0]}" 'hull_requests_total{route="\/...",status="200"}')
m2=$(metric "${admins[1]}" 'hull_requests_total{route="\/...",status="200"}')
check_true "backend 1's metrics count its 200s" "${m1:-0}" -ge "$n1"
check_true "backend 2's metrics count its 200s" "${m2:-0}" -ge "$n2"

# A value stored through one backend is seen through both (nginx alternates between them).
check "PUT /set/greeting" "200 stored" \
  "$(get "http://$front/set/greeting" -X PUT --data-binary 'hello from both')"
reads=()
for _ in 1 2 3 4; do reads+=("$(get "http://$front/get/greeting")"); done
check "four reads of /get/greeting" \
  "200 hello from both|200 hello from both|200 hello from both|200 hello from both" \
  "$(IFS='|'; echo "${reads[*]}")"
g1=$(grep -c '"GET /get/greeting"' "$topo/backend-1.access")
g2=$(grep -c '"GET /get/greeting"' "$topo/backend-2.access")
check_true "both backends answered /get/greeting ($g1 and $g2)" "$g1" -gt 0 -a "$g2" -gt 0
check "no sanitizer report in either backend" "0" \
  "$(cat "$topo"/backend-*.err | grep -c 'Sanitizer\|runtime error:')"

if [ "$failed" -gt 0 ]; then  # what nginx and the backends said, before down removes it
  for f in "$topo/nginx/logs/error.log" "$topo"/backend-*.err; do
    echo "---- $f (last 20 lines)"
    tail -20 "$f"
  done
fi

# ---- down leaves nothing -------------------------------------------------------------------------
cat "$topo"/*.pid > "$work/pids"
bash "$topology" down "$topo" 2> "$work/down.err"
check "down: exit status" "0" "$?"
check "down: no namespace with the prefix" "0" "$(ip netns list | grep -c "^$prefix-")"
check "down: no link with the prefix" "0" "$(ip -o link show | grep -c ": $prefix\.")"
alive=0
while read -r pid marker; do
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker" &&
    alive=$((alive + 1))
done < "$work/pids"
check "down: none of the $(wc -l < "$work/pids") processes is left" "0" "$alive"
check "down: the directory is gone" "no" "$([ -e "$topo" ] && echo yes || echo no)"
# nginx's workers (not in the pid files) hold the front's socket: a refused connection shows they
# are gone too.
check "down: the front refuses connections" "000" \
  "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$front/get/counter")"
bash "$topology" down "$prefix" 2> "$work/down2.err"
check "down again (by prefix): still exit 0" "0" "$?"

summary serve.scale

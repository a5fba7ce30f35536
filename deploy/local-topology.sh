#!/usr/bin/env bash
# The scale-out topology of deploy/ on one machine: N `hull serve` processes, each in its own
# network namespace, behind nginx, sharing one redis-server (or each with its own SQLite store).
#
#   deploy/local-topology.sh up N --redis|--sqlite [--app APP.toml] [--hull PATH] [--workers W]
#                               [--dir DIR] [-- HULL_SERVE_ARGS...]
#   deploy/local-topology.sh down DIR|PREFIX
#
# up   makes a unique prefix (ht + 6 hex digits) so parallel runs never clash, and:
#      - a bridge PREFIX.b in the root namespace holding .1 of a private 10.X.Y.0/24 that no
#        address or route of this machine overlaps (picked at random, checked);
#      - namespaces PREFIX-1..N, each joined to the bridge by a veth pair (PREFIX.hI outside,
#        eth0 inside, address .(10+I));
#      - with --redis: redis-server in the root namespace, bound only to the bridge address
#        (no persistence), and a runtime config pointing the store "default" at it; with
#        --sqlite: no runtime config, so each backend keeps "default" in SQLite in its own
#        state directory (DIR/backend-I);
#      - in namespace I: `hull serve APP.toml --addr .(10+I):8080 --admin-addr .(10+I):9090
#        --access-log DIR/backend-I.access --state-dir DIR/backend-I [--runtime-config ...]`;
#      - nginx (a minimal config in DIR/nginx) on 127.0.0.1:a free port, round robin over the N
#        backends with keep-alive (idle connections dropped after 20 s, before hull serve's
#        30 s read timeout), and proxy_next_upstream off: a request nginx already passed to
#        one backend is never replayed on another (a replayed /incr would count twice).
#      It prints key=value lines: prefix, dir, front (the nginx address), backends and admins
#      (comma-separated HOST:PORT, in namespace order), redis (HOST:PORT or none). Everything
#      up made is listed in DIR (state.env, *.pid); logs are there too (*.err, *.access,
#      redis.log, nginx/logs). A failure or an interrupt during up removes what it made.
# down stops the processes (TERM, then KILL after 10 s; a pid is signalled only while its
#      command line still names this run), kills whatever is left in the namespaces, deletes
#      the namespaces and links with the prefix and DIR. It is idempotent; given a PREFIX whose
#      DIR is gone it still removes the namespaces and links.
#
# --app APP.toml   default: tests/serve/kv/spin.toml (tests/serve/kv.wat: /incr, /get, /set)
# --hull PATH      default: build/hull
# --workers W      hull serve --workers (default 1: N processes are the scale-out here)
# --dir DIR        where state and logs go (default: ${TMPDIR:-/tmp}/hull-topo-PREFIX); must not
#                  exist yet, up creates it and down removes it
# Needs root (namespaces, links), ip (iproute2), nginx, redis-server (with --redis), python3.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
readonly backend_port=8080 admin_port=9090

log() { echo "[topology] $*" >&2; }
die() {
  echo "local-topology: $*" >&2
  exit 1
}

# alive_as PID MARKER: PID runs and its command line contains MARKER (so a recycled pid is
# never signalled).
alive_as() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2"
}

# ---- down ------------------------------------------------------------------------------------
down() {
  local target=$1 dir prefix
  if [ -f "$target/state.env" ]; then
    dir=$target
    prefix=$(sed -n 's/^prefix=//p' "$dir/state.env")
  elif [[ "$target" =~ ^ht[0-9a-f]{6}$ ]]; then
    prefix=$target
    dir=${TMPDIR:-/tmp}/hull-topo-$prefix
    [ -f "$dir/state.env" ] || dir=
  else
    die "down: '$target' is neither a topology directory (with state.env) nor a prefix (ht + 6 hex digits)"
  fi
  [[ "$prefix" =~ ^ht[0-9a-f]{6}$ ]] || die "down: no valid prefix in $target/state.env"

  # Processes: TERM every recorded one (nginx's master then stops its workers), then KILL.
  local pidfile pid marker pids=() markers=()
  if [ -n "$dir" ]; then
    for pidfile in "$dir"/*.pid; do
      [ -f "$pidfile" ] || continue
      read -r pid marker < "$pidfile" || true
      [ -n "${pid:-}" ] && [ -n "${marker:-}" ] || continue
      pids+=("$pid")
      markers+=("$marker")
    done
  fi
  local i
  for i in "${!pids[@]}"; do
    alive_as "${pids[$i]}" "${markers[$i]}" && kill -TERM "${pids[$i]}" 2> /dev/null || true
  done
  local left
  for _ in $(seq 100); do
    left=0
    for i in "${!pids[@]}"; do alive_as "${pids[$i]}" "${markers[$i]}" && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if alive_as "${pids[$i]}" "${markers[$i]}"; then
      log "pid ${pids[$i]} (${markers[$i]}) ignored TERM for 10 s: KILL"
      kill -KILL "${pids[$i]}" 2> /dev/null || true
    fi
  done

  # Namespaces: whatever still runs inside dies with them.
  local ns
  for ns in $(ip netns list 2> /dev/null | awk '{print $1}' | grep -E "^$prefix-[0-9]+$" || true); do
    for pid in $(ip netns pids "$ns" 2> /dev/null || true); do kill -KILL "$pid" 2> /dev/null || true; done
    ip netns del "$ns" 2> /dev/null || log "could not delete namespace $ns"
  done
  # Links: the bridge and the outer ends of the veth pairs (deleting one end deletes both).
  local link
  for link in $(ip -o link show 2> /dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
    grep -E "^$prefix\." || true); do
    ip link del "$link" 2> /dev/null || true
  done
  # Wait for the KILLed processes' sockets to go (nginx workers reparented to init).
  for _ in $(seq 50); do
    left=0
    for i in "${!pids[@]}"; do alive_as "${pids[$i]}" "${markers[$i]}" && left=1; done
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  [ -n "$dir" ] && rm -rf "$dir"
  return 0
}

# ---- up --------------------------------------------------------------------------------------
# free_port HOST: a port nothing listens on at HOST now.
free_port() {
  python3 -c 'import socket, sys; s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$1"
}

# pick_subnet: "10.X.Y" for a /24 that overlaps no address or route of the root namespace.
pick_subnet() {
  python3 - <<'EOF'
import ipaddress, random, re, subprocess
used = []
for cmd in (['ip', '-4', '-o', 'addr', 'show'], ['ip', '-4', 'route', 'show', 'table', 'all']):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for m in re.finditer(r'(?<![\d.])(\d+\.\d+\.\d+\.\d+(?:/\d+)?)', out):
        try:
            used.append(ipaddress.ip_network(m.group(1), strict=False))
        except ValueError:
            pass
for _ in range(1000):
    net = ipaddress.ip_network(f'10.{random.randint(200, 249)}.{random.randint(0, 255)}.0/24')
    if not any(net.overlaps(u) for u in used):
        print('.'.join(str(net.network_address).split('.')[:3]))
        break
else:
    raise SystemExit('no free 10.x.y.0/24 found')
EOF
}

# wait_listen NS HOST PORT: bounded (30 s) wait until HOST:PORT accepts in namespace NS ("" =
# root); fails early when PID (4th argument) dies.
wait_listen() {
  local ns=$1 host=$2 port=$3 pid=$4
  local probe=(python3 -c "import socket; socket.create_connection(('$host', $port), timeout=1).close()")
  for _ in $(seq 300); do
    if [ -n "$ns" ]; then
      ip netns exec "$ns" "${probe[@]}" 2> /dev/null && return 0
    else
      "${probe[@]}" 2> /dev/null && return 0
    fi
    kill -0 "$pid" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

up() {
  local n=$1
  shift
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 50 ] || die "up: N must be 1..50, got '$n'"
  local kv= app=$repo/tests/serve/kv/spin.toml hull=$repo/build/hull workers=1 dir=
  local extra=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --redis) kv=redis; shift ;;
      --sqlite) kv=sqlite; shift ;;
      --app) app=$2; shift 2 ;;
      --hull) hull=$2; shift 2 ;;
      --workers) workers=$2; shift 2 ;;
      --dir) dir=$2; shift 2 ;;
      --) shift; extra=("$@"); break ;;
      *) die "up: unknown option '$1' (see the comment at the top of $0)" ;;
    esac
  done
  [ -n "$kv" ] || die "up: say --redis or --sqlite"
  [ "$(id -u)" = 0 ] || die "up: needs root (network namespaces and links)"
  [ -x "$hull" ] || die "up: no hull binary at $hull (give --hull)"
  [ -f "$app" ] || die "up: no manifest at $app"
  app=$(cd "$(dirname "$app")" && pwd)/$(basename "$app")
  hull=$(cd "$(dirname "$hull")" && pwd)/$(basename "$hull")
  local nginx_bin redis_bin=
  nginx_bin=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
  [ -n "$nginx_bin" ] || die "up: nginx not found (apt-get install nginx, or scripts/setup.sh)"
  if [ "$kv" = redis ]; then
    redis_bin=$(command -v redis-server || true)
    [ -n "$redis_bin" ] || die "up: redis-server not found (apt-get install redis-server)"
  fi

  local prefix
  prefix=ht$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  dir=${dir:-${TMPDIR:-/tmp}/hull-topo-$prefix}
  [ -e "$dir" ] && die "up: $dir exists already"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  echo "prefix=$prefix" > "$dir/state.env"
  # From here on, a failure (set -e, die) or an interrupt takes everything down again.
  up_done=0
  up_dir=$dir
  trap 'if [ "$up_done" != 1 ]; then log "up did not finish: removing everything in $up_dir"; down "$up_dir"; fi' EXIT
  trap 'exit 130' INT TERM

  local net
  net=$(pick_subnet)
  echo "subnet=$net.0/24" >> "$dir/state.env"
  local bridge=$prefix.b
  ip link add "$bridge" type bridge
  ip addr add "$net.1/24" dev "$bridge"
  ip link set "$bridge" up
  log "$prefix: bridge $bridge $net.1/24"

  local redis_addr=none
  if [ "$kv" = redis ]; then
    local rport
    rport=$(free_port "$net.1")
    redis_addr=$net.1:$rport
    "$redis_bin" --bind "$net.1" --port "$rport" --protected-mode no --save '' \
      --appendonly no --daemonize no --dir "$dir" --logfile "$dir/redis.log" \
      < /dev/null > /dev/null 2>&1 &
    echo "$! $net.1:$rport" > "$dir/redis.pid"
    wait_listen "" "$net.1" "$rport" "$!" || die "up: redis-server did not start (see $dir/redis.log)"
    cat > "$dir/runtime-config.toml" << EOF
# deploy/local-topology.sh $prefix: every backend's "default" store is this redis-server.
[key_value_store.default]
type = "redis"
url = "redis://$redis_addr"
EOF
    log "$prefix: redis-server on $redis_addr"
  fi

  local i ns ip backends=() admins=()
  for ((i = 1; i <= n; i++)); do
    ns=$prefix-$i
    ip=$net.$((10 + i))
    ip netns add "$ns"
    ip link add "$prefix.h$i" type veth peer name "$prefix.n$i"
    ip link set "$prefix.h$i" master "$bridge" up
    ip link set "$prefix.n$i" netns "$ns"
    ip -n "$ns" link set "$prefix.n$i" name eth0
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    local args=(serve --addr "$ip:$backend_port" --admin-addr "$ip:$admin_port"
      --workers "$workers" --access-log "$dir/backend-$i.access" --state-dir "$dir/backend-$i")
    if [ "$kv" = redis ]; then args+=(--runtime-config "$dir/runtime-config.toml"); fi
    mkdir -p "$dir/backend-$i"
    ip netns exec "$ns" "$hull" "${args[@]}" "${extra[@]}" "$app" \
      < /dev/null > "$dir/backend-$i.out" 2> "$dir/backend-$i.err" &
    echo "$! $dir/backend-$i.access" > "$dir/backend-$i.pid"
    backends+=("$ip:$backend_port")
    admins+=("$ip:$admin_port")
  done
  for ((i = 1; i <= n; i++)); do
    read -r pid _ < "$dir/backend-$i.pid"
    wait_listen "$prefix-$i" "$net.$((10 + i))" "$backend_port" "$pid" ||
      die "up: hull serve in $prefix-$i did not start: $(tail -3 "$dir/backend-$i.err")"
  done
  log "$prefix: $n hull serve on ${backends[*]}"

  local ng=$dir/nginx front_port upstream=
  mkdir -p "$ng/logs"
  front_port=$(free_port 127.0.0.1)
  for b in "${backends[@]}"; do upstream+="    server $b;"$'\n'; done
  cat > "$ng/nginx.conf" << EOF
# deploy/local-topology.sh $prefix: the front of $n hull serve backends.
daemon off;
worker_processes $(nproc);
pid $ng/nginx.pid;
error_log $ng/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $ng/body;
  proxy_temp_path $ng/proxy;
  fastcgi_temp_path $ng/fastcgi;
  uwsgi_temp_path $ng/uwsgi;
  scgi_temp_path $ng/scgi;
  upstream hull {
$upstream    keepalive 64;
    # Under hull serve's 30 s read timeout: nginx drops an idle connection before the backend
    # closes it, so it never sends a request into a connection the backend is closing.
    keepalive_timeout 20s;
  }
  server {
    listen 127.0.0.1:$front_port;
    location / {
      proxy_pass http://hull;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;
    }
  }
}
EOF
  "$nginx_bin" -p "$ng" -c "$ng/nginx.conf" < /dev/null > /dev/null 2> "$ng/logs/stderr" &
  echo "$! $ng/nginx.conf" > "$dir/nginx.pid"
  wait_listen "" 127.0.0.1 "$front_port" "$!" || die "up: nginx did not start: $(cat "$ng/logs/stderr")"
  log "$prefix: nginx on 127.0.0.1:$front_port"

  local joined_backends joined_admins
  joined_backends=$(IFS=,; echo "${backends[*]}")
  joined_admins=$(IFS=,; echo "${admins[*]}")
  {
    echo "dir=$dir"
    echo "front=127.0.0.1:$front_port"
    echo "backends=$joined_backends"
    echo "admins=$joined_admins"
    echo "redis=$redis_addr"
  } >> "$dir/state.env"
  up_done=1
  cat "$dir/state.env"
}

case "${1:-}" in
  up)
    [ $# -ge 2 ] || die "usage: $0 up N --redis|--sqlite [options] [-- hull serve args]"
    shift
    up "$@"
    ;;
  down)
    [ $# -eq 2 ] || die "usage: $0 down DIR|PREFIX"
    [ "$(id -u)" = 0 ] || die "down: needs root (network namespaces and links)"
    down "$2"
    ;;
  -h | --help) sed -n '2,38p' "$0" ;;
  *) die "usage: $0 up N --redis|--sqlite [options] | down DIR|PREFIX (see --help)" ;;
esac

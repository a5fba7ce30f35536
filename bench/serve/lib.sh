# Shared by bench/serve/run.sh, cpu_per_request.sh and ab.sh (sourced, not run): loopback
# ports, the nginx answering a static `return 200 'hello'` -- the ceiling that hull serve is
# measured beside -- and a hull serve on a free port.

# free_port: a port nothing listens on at 127.0.0.1 now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT: bounded wait (20 s) until something listens there.
wait_port() {
  for _ in $(seq 200); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), timeout=1).close()" \
      2> /dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 20 s" >&2
  return 1
}

# start_nginx_static NGINX DIR WORKERS: nginx in the foreground (a child of this shell) with its
# own prefix DIR, WORKERS worker processes, no access log, answering every path with 200
# "hello" on a free loopback port. Sets nginx_port, and nginx_pid (the master: TERM stops its
# workers too) for the caller to add to what it stops before it waits for the port.
start_nginx_static() {
  local bin=$1 dir=$2 workers=$3
  mkdir -p "$dir/logs"
  nginx_port=$(free_port)
  cat > "$dir/nginx.conf" << CONF
daemon off;
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location / { default_type text/plain; return 200 'hello'; }
  }
}
CONF
  "$bin" -p "$dir" -c "$dir/nginx.conf" 2> "$dir/logs/stderr" &
  nginx_pid=$!
}

# start_hull_serve HULL SOURCE WORKERS DIR: `HULL serve SOURCE` on a free loopback port (its
# --port-file in DIR, its stderr in DIR/serve.err), waiting up to 30 s for it to listen. Sets
# hull_pid and hull_port; if it does not start, says why, stops it and returns 1.
start_hull_serve() {
  local bin=$1 source=$2 workers=$3 dir=$4
  rm -f "$dir/port"
  "$bin" serve --addr 127.0.0.1:0 --workers "$workers" --port-file "$dir/port" "$source" \
    2> "$dir/serve.err" &
  hull_pid=$!
  for _ in $(seq 300); do [ -s "$dir/port" ] && break; sleep 0.1; done
  if [ ! -s "$dir/port" ]; then
    echo "$bin serve $source did not start:" >&2
    cat "$dir/serve.err" >&2
    kill -9 "$hull_pid" 2> /dev/null || true
    return 1
  fi
  hull_port=$(cat "$dir/port")
}

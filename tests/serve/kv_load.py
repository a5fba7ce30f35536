#!/usr/bin/env python3
"""COUNT requests `GET PATH` to HOST:PORT over CONCURRENCY keep-alive connections (one thread
each, the requests split evenly), for tests/serve/scale.sh and kv_restart.sh.

  kv_load.py HOST:PORT PATH COUNT CONCURRENCY BODIES_FILE

Writes every answer's body to BODIES_FILE, one per line (order: by connection, then by
request), and prints one line of status counts, e.g. "200=9999 500=1 error=0". A request that
fails on the socket counts as "error" (the connection is then opened anew); every socket
operation has a 20 s timeout, so a stuck server ends the run instead of hanging it.
"""
import http.client
import sys
import threading
from collections import Counter


def worker(host, port, path, count, bodies, statuses, lock):
    conn = None
    mine = []
    for _ in range(count):
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=20)
            conn.request('GET', path)
            resp = conn.getresponse()
            body = resp.read().decode('utf-8', 'replace').replace('\n', ' ')
            mine.append((str(resp.status), body))
            if resp.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            mine.append(('error', type(e).__name__))
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()
    with lock:
        for status, body in mine:
            statuses[status] += 1
            bodies.append(body)


def main():
    address, path, count, concurrency, bodies_file = sys.argv[1:6]
    host, port = address.rsplit(':', 1)
    count, concurrency = int(count), int(concurrency)
    bodies, statuses, lock = [], Counter(), threading.Lock()
    threads = []
    for i in range(concurrency):
        share = count // concurrency + (1 if i < count % concurrency else 0)
        t = threading.Thread(target=worker,
                             args=(host, int(port), path, share, bodies, statuses, lock))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    with open(bodies_file, 'w') as f:
        f.writelines(b + '\n' for b in bodies)
    statuses.setdefault('error', 0)
    print(' '.join(f'{k}={statuses[k]}' for k in sorted(statuses)))


if __name__ == '__main__':
    main()

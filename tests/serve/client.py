#!/usr/bin/env python3
"""HTTP checks for tests/serve/serve.sh that curl cannot make: raw bytes on one connection,
keep-alive reuse, pipelining, a request held in flight. Loopback only; every socket operation
has a timeout. Prints what it got on stdout (serve.sh compares); exits 1 on a socket error.

  client.py raw PORT             send stdin as is, print everything read until the server
                                 closes (or 10 s pass)
  client.py keepalive PORT N     N GETs of /hello on one HTTPConnection; prints one line per
                                 response: "STATUS LOCAL_PORT BODY"
  client.py pipeline PORT        two requests written in one send(), prints the status line and
                                 body of each response in the order read
  client.py hold PORT PATH OUT   GET PATH; writes "sent" to OUT.sent once the request is
                                 written, then "STATUS BODY_FIRST_LINE" to OUT when the answer
                                 arrives ("error ..." on a socket error)
  client.py expect PORT LEN       POST /echo with Expect: 100-continue and Content-Length LEN,
                                 the body held back until an interim answer: prints its status
                                 line; after a 100, sends the body (LEN bytes of "x") and prints
                                 the final status line and body length
  client.py connect PORT         one connection attempt and a GET /hello: prints "refused",
                                 "reset", "closed" (no answer) or the status line
"""
import http.client
import os
import socket
import sys

HOST = "127.0.0.1"
TIMEOUT = 10


def read_all(sock):
    chunks = []
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            chunks.append(b)
    except socket.timeout:
        chunks.append(b"\n<timeout>")
    except ConnectionResetError:
        chunks.append(b"\n<reset>")
    return b"".join(chunks)


def raw(port):
    data = sys.stdin.buffer.read()
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(data)
        sys.stdout.buffer.write(read_all(s))


def keepalive(port, n):
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    for _ in range(n):
        conn.request("GET", "/hello")
        r = conn.getresponse()
        body = r.read().decode()
        print(r.status, conn.sock.getsockname()[1] if conn.sock else "closed", body)
    conn.close()


def pipeline(port):
    reqs = (b"GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
            b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
            b"second")
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(reqs)  # both at once: the second arrives before the first is answered
        data = read_all(s)  # the second asks to close: read until the server does
    # Split the stream into responses (each framed by its content-length).
    while data.startswith(b"HTTP/"):
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        print(lines[0].split(" ")[1], rest[:length].decode())
        data = rest[length:]
    if data:
        print("trailing:", data[:80])


def hold(port, path, out):
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        conn.request("GET", path)
        with open(out + ".sent", "w") as f:
            f.write("sent\n")
        r = conn.getresponse()
        result = f"{r.status} {r.read().decode().splitlines()[0] if r.length != 0 else ''}"
    except OSError as e:
        result = f"error {e}"
    with open(out + ".tmp", "w") as f:
        f.write(result + "\n")
    os.rename(out + ".tmp", out)


def expect(port, length):
    head = (f"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n"
            "Expect: 100-continue\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((HOST, port), timeout=TIMEOUT) as s:
        s.sendall(head)
        got = b""
        while b"\r\n\r\n" not in got:
            b = s.recv(4096)
            if not b:
                break
            got += b
        first, _, rest = got.partition(b"\r\n\r\n")
        status = first.split(b"\r\n")[0].decode()
        print(status)
        if " 100 " not in status:
            return
        s.sendall(b"x" * length)
        data = rest + read_all(s)
        head, _, body = data.partition(b"\r\n\r\n")
        print(head.split(b"\r\n")[0].decode(), len(body))


def connect(port):
    try:
        s = socket.create_connection((HOST, port), timeout=TIMEOUT)
    except ConnectionRefusedError:
        print("refused")
        return
    with s:
        try:
            s.sendall(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            got = s.recv(4096)
        except ConnectionResetError:
            print("reset")
            return
        except socket.timeout:
            print("timeout")
            return
        print(got.split(b"\r\n")[0].decode() if got else "closed")


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "raw":
        raw(port)
    elif cmd == "keepalive":
        keepalive(port, int(sys.argv[3]))
    elif cmd == "pipeline":
        pipeline(port)
    elif cmd == "hold":
        hold(port, sys.argv[3], sys.argv[4])
    elif cmd == "expect":
        expect(port, int(sys.argv[3]))
    elif cmd == "connect":
        connect(port)
    else:
        sys.exit(f"client.py: unknown command {cmd}")


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print(f"error {e}")
        sys.exit(1)

#!/usr/bin/env python3
"""Streaming checks for tests/serve/stream.sh: uploads to /echo of tests/serve/app.wat that are
sent while the answer is read (one thread sends, the main thread reads), bodies generated from a
pattern and compared by SHA-256 on both sides (nothing of the size is held in memory), and the
server's RSS sampled from /proc/PID/status while the bytes flow. Loopback only; every socket
operation has a timeout and every run a total bound. Prints one line of key=value pairs.

  stream_client.py echo PORT SIZE [--chunked] [--expect] [--pid PID] [--pace BYTES:MS]
                                  [--stop-after BYTES] [--total-timeout S]
  stream_client.py keepalive PORT COUNT

  --chunked        Transfer-Encoding: chunked (chunks of varying sizes) instead of a length
  --expect         Expect: 100-continue; the body waits for the interim answer
  --pid PID        sample PID's VmRSS every 20 ms: rss_before_kb, rss_max_kb, rss_after_kb
  --pace B:MS      send B bytes, then sleep MS milliseconds, and so on (a slow uploader)
  --stop-after N   send N bytes of the SIZE declared, then close the connection (a client that
                   goes away mid-upload): prints what was read until then
Output keys: status, sent, received, match (received == sent, by SHA-256), complete (the
response framing ended properly), closed (the server closed the connection after it),
seconds (until the answer ended), and the rss_* keys with --pid.

keepalive: COUNT small chunked echoes one after the other on one kept-alive connection, each
answered as a stream (a chunk, then the last chunk: two writes, nothing from the client in
between). Output keys: answered (echoes whose body came back whole), median_ms, max_ms (each
from sending the request to the end of its answer).
"""
import hashlib
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
BLOCK = 64 * 1024


def pattern_blocks(size):
    """The body: SIZE bytes in blocks; each block differs (its number leads it), so a block
    lost, repeated or reordered changes the digest."""
    base = hashlib.sha256(b"hull stream test").digest() * (BLOCK // 32)
    sent, n = 0, 0
    while sent < size:
        block = n.to_bytes(8, "little") + base[8:]
        take = min(BLOCK, size - sent)
        yield block[:take]
        sent += take
        n += 1


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.max, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                self.max = max(self.max, rss_kb(self.pid))
            except OSError:
                return
            time.sleep(0.02)


class Sender(threading.Thread):
    def __init__(self, sock, size, chunked, pace, stop_after, go):
        super().__init__(daemon=True)
        self.sock, self.size, self.chunked = sock, size, chunked
        self.pace, self.stop_after, self.go = pace, stop_after, go
        self.digest, self.sent, self.error = hashlib.sha256(), 0, None
        self.done = threading.Event()  # the answer has been read: stop sending

    def send(self, data):
        if self.pace:
            step, ms = self.pace
            for i in range(0, len(data), step):
                self.sock.sendall(data[i:i + step])
                if self.done.wait(ms / 1000):
                    raise ConnectionAbortedError("the answer ended before the upload")
        else:
            self.sock.sendall(data)

    def run(self):
        try:
            if not self.go.wait(30):
                raise TimeoutError("no 100 Continue in 30 s")
            sizes = [1, 100, 4096, 65536, 3000, 17]  # chunk sizes in turn (chunked)
            turn = 0
            for block in pattern_blocks(self.size):
                if self.stop_after is not None and self.sent + len(block) > self.stop_after:
                    block = block[:self.stop_after - self.sent]
                while block:
                    piece = block[:sizes[turn % len(sizes)]] if self.chunked else block
                    turn += 1
                    block = block[len(piece):]
                    self.digest.update(piece)
                    self.sent += len(piece)
                    if self.chunked:
                        self.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    else:
                        self.send(piece)
                if self.stop_after is not None and self.sent >= self.stop_after:
                    # Gone mid-upload: a reset, as a killed client would leave.
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.sock.close()
                    return
            if self.chunked:
                self.sock.sendall(b"0\r\n\r\n")
        except OSError as e:
            self.error = e


class Reader:
    """Reads one response from the socket: head, then the body by its framing."""

    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def fill(self):
        b = self.sock.recv(1 << 18)
        if not b:
            raise EOFError
        self.buf += b

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def head(self):
        status_line = self.line().decode("iso-8859-1")
        headers = {}
        while True:
            line = self.line()
            if not line:
                return int(status_line.split(" ")[1]), headers
            name, _, value = line.decode("iso-8859-1").partition(":")
            headers[name.strip().lower()] = value.strip()

    def take(self, n, sink):
        while n > 0:
            if not self.buf:
                self.fill()
            part = self.buf[:n]
            self.buf = self.buf[len(part):]
            sink(part)
            n -= len(part)

    def body(self, headers, sink):
        """True when the framing ended properly (False: the connection closed first)."""
        try:
            if headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int(self.line().split(b";")[0], 16)
                    if size == 0:
                        while self.line():
                            pass
                        return True
                    self.take(size, sink)
                    if self.line() != b"":
                        raise ValueError("chunk not followed by CRLF")
            if "content-length" in headers:
                self.take(int(headers["content-length"]), sink)
                return True
            while True:  # delimited by the close
                self.fill()
                sink(self.buf)
                self.buf = b""
        except (EOFError, ConnectionResetError):
            return False


def echo(port, size, chunked=False, expect=False, pid=None, pace=None, stop_after=None,
         total_timeout=120):
    out = {}
    sampler = None
    if pid:
        out["rss_before_kb"] = rss_kb(pid)
        sampler = RssSampler(pid)
        sampler.start()
    t0 = time.monotonic()
    sock = socket.create_connection((HOST, port), timeout=total_timeout)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = f"POST /echo HTTP/1.1\r\nHost: t\r\n{framing}\r\n"
    if expect:
        head += "Expect: 100-continue\r\n"
    sock.sendall((head + "\r\n").encode())
    go = threading.Event()
    if not expect:
        go.set()
    sender = Sender(sock, size, chunked, pace, stop_after, go)
    sender.start()
    reader = Reader(sock)
    received, digest = 0, hashlib.sha256()

    def sink(part):
        nonlocal received
        received += len(part)
        digest.update(part)

    try:
        status, headers = reader.head()
        if expect:
            out["interim"] = status
            go.set()
            if status == 100:
                status, headers = reader.head()
        out["status"] = status
        out["framing"] = ("chunked" if headers.get("transfer-encoding") else
                          "length" if "content-length" in headers else "close")
        out["complete"] = "yes" if reader.body(headers, sink) else "no"
        # After the answer: does the server close the connection (a cut answer must)?
        sock.settimeout(2)
        try:
            out["closed"] = "yes" if sock.recv(1) == b"" else "data"
        except socket.timeout:
            out["closed"] = "no"
        except OSError:
            out["closed"] = "yes"
    except (EOFError, ConnectionResetError, BrokenPipeError) as e:
        out.setdefault("status", f"error:{type(e).__name__}")
    except OSError as e:
        if stop_after is None:
            raise
        out.setdefault("status", f"error:{type(e).__name__}")
    out["seconds"] = f"{time.monotonic() - t0:.2f}"  # until the answer ended
    go.set()
    sender.done.set()
    sender.join(total_timeout)
    try:
        sock.close()
    except OSError:
        pass
    out["sent"] = sender.sent
    out["received"] = received
    out["match"] = "yes" if received == sender.sent and digest.digest() == sender.digest.digest() \
        else "no"
    if sampler:
        time.sleep(0.2)
        sampler.stop.set()
        sampler.join()
        out["rss_max_kb"] = sampler.max
        out["rss_after_kb"] = rss_kb(pid)
    print(" ".join(f"{k}={v}" for k, v in out.items()), flush=True)


def keepalive(port, count):
    """Small streamed answers on one connection: a server whose socket delays small writes
    (Nagle's algorithm) holds each answer's last chunk until the client's delayed ACK, ~40 ms."""
    body = b"hello"
    request = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
               b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n")
    answer = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"  # app.wat's echo, chunked
    times, answered = [], 0
    with socket.create_connection((HOST, port), timeout=10) as s:
        for _ in range(count):
            t0 = time.monotonic()
            s.sendall(request)
            buf = b""
            while not buf.endswith(b"\r\n0\r\n\r\n"):
                data = s.recv(65536)
                if not data:
                    break
                buf += data
            times.append((time.monotonic() - t0) * 1000)
            head, _, rest = buf.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.1 200") and rest == answer:
                answered += 1
    times.sort()
    print(f"answered={answered} median_ms={times[len(times) // 2]:.1f} max_ms={times[-1]:.1f}")


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "keepalive":
        keepalive(int(args[1]), int(args[2]))
        return
    if len(args) < 3 or args[0] != "echo":
        sys.exit(__doc__)
    port, size = int(args[1]), int(args[2])
    opts = {}
    i = 3
    while i < len(args):
        a = args[i]
        if a == "--chunked":
            opts["chunked"] = True
        elif a == "--expect":
            opts["expect"] = True
        elif a == "--pid":
            i += 1
            opts["pid"] = int(args[i])
        elif a == "--pace":
            i += 1
            b, ms = args[i].split(":")
            opts["pace"] = (int(b), int(ms))
        elif a == "--stop-after":
            i += 1
            opts["stop_after"] = int(args[i])
        elif a == "--total-timeout":
            i += 1
            opts["total_timeout"] = float(args[i])
        else:
            sys.exit(f"stream_client.py: unknown option {a}")
        i += 1
    echo(port, size, **opts)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        print(f"status=error:{e}")
        sys.exit(1)

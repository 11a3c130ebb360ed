"""Two small proxies that close each connection after answering: python proxies.py KIND PORT.

forward   a plain-http forward proxy: takes a request with an absolute URL, sends it to
          the origin with "Connection: close", and answers with the origin's response,
          its Connection header replaced by "Connection: close" (the head and the first
          body bytes in one write), relaying the body until the origin closes; then closes.
connect   an HTTPS CONNECT tunnel: answers "200 Connection established", relays bytes both
          ways until either side closes, then closes both.

Both listen on 127.0.0.1:PORT with a backlog of 128, one thread per connection.
Standard library only.
"""

import socket
import socketserver
import sys
import threading
from urllib.parse import urlsplit

TIMEOUT = 30  # no socket waits longer


def read_head(sock):
    """The bytes up to the end of a head, and what came after them."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = sock.recv(65536)
        if not more:
            raise ConnectionError("closed before the end of the head")
        data += more
        if len(data) > 1 << 20:
            raise ConnectionError("head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def drop_hop_headers(lines):
    hop = (b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization")
    return [line for line in lines if line.split(b":", 1)[0].strip().lower() not in hop]


def body_length(lines):
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


class Handler(socketserver.BaseRequestHandler):
    kind = "forward"

    def handle(self):
        client = self.request
        client.settimeout(TIMEOUT)
        try:
            head, rest = read_head(client)
            lines = head.split(b"\r\n")
            method, target, version = lines[0].split(b" ", 2)
            if self.kind == "connect":
                self.tunnel(client, method, target, rest)
            else:
                self.forward(client, method, target, version, lines[1:], rest)
        except OSError:
            pass
        finally:
            client.close()

    def forward(self, client, method, target, version, lines, rest):
        parts = urlsplit(target.decode("latin-1"))
        if parts.scheme != "http":
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        while len(rest) < body_length(lines):
            more = client.recv(65536)
            if not more:
                return
            rest += more
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        request = [method + b" " + path.encode("latin-1") + b" " + version]
        request += drop_hop_headers(lines) + [b"Connection: close", b"", b""]
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=TIMEOUT) as origin:
            origin.sendall(b"\r\n".join(request) + rest)
            head, body = read_head(origin)
            answer = head.split(b"\r\n")
            answer = [answer[0]] + drop_hop_headers(answer[1:]) + [b"Connection: close", b"", b""]
            client.sendall(b"\r\n".join(answer) + body)
            while True:
                more = origin.recv(65536)
                if not more:
                    break
                client.sendall(more)

    def tunnel(self, client, method, target, rest):
        if method != b"CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        host, _, port = target.decode("latin-1").rpartition(":")
        with socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT) as origin:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                origin.sendall(rest)
            threading.Thread(target=pipe, args=(client, origin), daemon=True).start()
            pipe(origin, client)  # until the origin closes: then the tunnel closes, whatever the client does
            for sock in (client, origin):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def pipe(source, sink):
    """Relay ``source`` to ``sink`` until ``source`` ends; then end ``sink``'s writing side."""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


if __name__ == "__main__":
    Handler.kind = sys.argv[1]
    Server(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()

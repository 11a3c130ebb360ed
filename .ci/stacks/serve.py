"""Serve app.py on one stack: python serve.py STACK PORT [CERT KEY].

The stacks started from here are those without a command line of their own for an
ASGI/WSGI app (uvicorn, hypercorn, granian and gunicorn are started by ./run):
werkzeug, waitress, cheroot, tornado, aiohttp, http.server-1.0, http.server-1.1, and
http.server-1.0-tls (http.server in HTTP/1.0 behind TLS, the origin for the CONNECT
proxy check; CERT and KEY are its PEM files).  Each listens on 127.0.0.1:PORT until
it is terminated.
"""

import sys

from app import reason, respond, wsgi

HOST = "127.0.0.1"


def werkzeug(port, *_):
    from werkzeug.serving import run_simple
    run_simple(HOST, port, wsgi, threaded=True)  # as `flask run` does


def waitress(port, *_):
    import waitress as w
    w.serve(wsgi, host=HOST, port=port)


def cheroot(port, *_):
    from cheroot import wsgi as c
    server = c.Server((HOST, port), wsgi)  # the defaults: 10 threads, a listen backlog of 5
    try:
        server.start()
    finally:
        server.stop()


def tornado(port, *_):
    import asyncio

    import tornado.web

    class Handler(tornado.web.RequestHandler):
        async def _answer(self):
            headers = {k.lower(): v for k, v in self.request.headers.items()}
            status, out_headers, chunks, streamed = respond(self.request.method, self.request.path, headers,
                                                            self.request.body)
            self.set_status(status)
            for name, value in out_headers:
                if name != "Content-Length":
                    self.set_header(name, value)
            for chunk in chunks:
                self.write(chunk)
                if streamed:
                    await self.flush()

        get = post = _answer

    async def main():
        tornado.web.Application([(r"/.*", Handler)]).listen(port, address=HOST)
        await asyncio.Event().wait()

    asyncio.run(main())


def aiohttp(port, *_):
    from aiohttp import web

    async def answer(request):
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, out_headers, chunks, streamed = respond(request.method, request.path, headers, await request.read())
        if not streamed:
            return web.Response(status=status, body=b"".join(chunks),
                                headers={k: v for k, v in out_headers if k != "Content-Length"})
        response = web.StreamResponse(status=status, headers=dict(out_headers))
        await response.prepare(request)
        for chunk in chunks:
            await response.write(chunk)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    web.run_app(app, host=HOST, port=port, print=None)


def _http_server(version, port, cert=None, key=None):
    """http.server as a stub is usually written: ThreadingHTTPServer, send_response,
    send_header, end_headers, then wfile.write.  In HTTP/1.1 a stream is chunked; in
    HTTP/1.0 it ends with the connection."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = version

        def _answer(self):
            length = self.headers.get("Content-Length") or "0"
            body = self.rfile.read(int(length)) if length.isdigit() else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out_headers, chunks, streamed = respond(self.command, self.path, headers, body)
            chunked = streamed and version == "HTTP/1.1"
            self.send_response(status, reason(status))
            for name, value in out_headers:
                self.send_header(name, value)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif streamed:
                self.close_connection = True
            self.end_headers()
            for chunk in chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, port), Handler)
    if cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


STACKS = {
    "werkzeug": werkzeug,
    "waitress": waitress,
    "cheroot": cheroot,
    "tornado": tornado,
    "aiohttp": aiohttp,
    "http.server-1.0": lambda port, *_: _http_server("HTTP/1.0", port),
    "http.server-1.1": lambda port, *_: _http_server("HTTP/1.1", port),
    "http.server-1.0-tls": lambda port, cert, key: _http_server("HTTP/1.0", port, cert, key),
}

if __name__ == "__main__":
    STACKS[sys.argv[1]](int(sys.argv[2]), *sys.argv[3:])

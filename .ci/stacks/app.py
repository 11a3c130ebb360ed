"""A small OpenAI-shaped app for the real-server-stack checks (.ci/stacks/check.py).

Standard library only.  One core, ``respond``, and the two interfaces every Python
server speaks: ``asgi`` (uvicorn, hypercorn, granian) and ``wsgi`` (Werkzeug,
gunicorn, waitress, cheroot).  serve.py adapts the core to tornado, aiohttp.web and
http.server; app.js is the same app for Node.

Routes (under /v1):
  POST /chat/completions   answers "echo: <last user message>"; with "stream": true as
                           server-sent events (a role chunk, three content chunks, a chunk
                           with finish_reason "stop", then [DONE]).  Model "fail": a 500 with
                           an OpenAI error body.  Model "big": a 1,000,000-character answer.
                           Header "x-test: 429-once": the first request with a given
                           x-ms-client-request-id gets a 429 with Retry-After: 0; its retry
                           answers "retried: <last user message>".
  POST /embeddings         one vector per input: [len(text), index, 0.5]
  GET  /models             the models "m", "big", "fail"
"""

import json
import threading

MODELS = ("m", "big", "fail")
BIG = "0123456789" * 100000  # the 1 MB answer
ERROR_500 = {"error": {"message": "boom", "type": "server_error", "code": "x"}}

_seen = set()  # request ids that already had their 429
_seen_lock = threading.Lock()


def _json(status, obj, extra=()):
    data = json.dumps(obj).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    headers.extend(extra)
    return status, headers, [data], False


def _error(status, message, kind, extra=()):
    return _json(status, {"error": {"message": message, "type": kind, "code": str(status)}}, extra)


def _last_user_text(messages):
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content items: the text parts
                content = "".join(item.get("text", "") for item in content if isinstance(item, dict))
            return content if isinstance(content, str) else ""
    return ""


def _chunk(model, delta, finish_reason=None):
    event = {"id": "chatcmpl-stacks", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
    return b"data: " + json.dumps(event).encode("utf-8") + b"\n\n"


def _chat(headers, request):
    model = request.get("model") or "m"
    if model == "fail":
        return _json(500, ERROR_500)
    text = "echo: " + _last_user_text(request.get("messages"))
    if headers.get("x-test") == "429-once":
        request_id = headers.get("x-ms-client-request-id") or headers.get("x-request-id") or ""
        with _seen_lock:
            first = request_id not in _seen
            _seen.add(request_id)
        if first:
            return _error(429, "slow down", "rate_limit_exceeded", [("Retry-After", "0")])
        text = "retried: " + _last_user_text(request.get("messages"))
    if model == "big":
        text = BIG
    if request.get("stream"):
        third = max(1, len(text) // 3)
        parts = [text[:third], text[third:2 * third], text[2 * third:]]
        chunks = [_chunk(model, {"role": "assistant", "content": ""})]
        chunks.extend(_chunk(model, {"content": part}) for part in parts)
        chunks.append(_chunk(model, {}, "stop"))
        chunks.append(b"data: [DONE]\n\n")
        return 200, [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")], chunks, True
    return _json(200, {
        "id": "chatcmpl-stacks", "object": "chat.completion", "created": 1700000000, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})


def _embeddings(request):
    inputs = request.get("input")
    inputs = [inputs] if isinstance(inputs, str) else inputs if isinstance(inputs, list) else []
    data = [{"object": "embedding", "index": i, "embedding": [float(len(str(text))), float(i), 0.5]}
            for i, text in enumerate(inputs)]
    return _json(200, {"object": "list", "data": data, "model": request.get("model") or "m",
                       "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}})


def respond(method, path, headers, body):
    """The answer to one request: (status, headers, body chunks, streamed).

    ``headers`` maps lower-case names to values.  A streamed answer has no Content-Length:
    the server frames it (chunked, or to the end of the connection) and sends each chunk
    as it comes.
    """
    path = path.split("?", 1)[0].rstrip("/")
    if method == "GET" and path == "/v1/models":
        return _json(200, {"object": "list", "data": [
            {"id": name, "object": "model", "created": 1700000000, "owned_by": "stacks"} for name in MODELS]})
    if method == "POST" and path in ("/v1/chat/completions", "/v1/embeddings"):
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "the body is not JSON", "invalid_request_error")
        if not isinstance(request, dict):
            return _error(400, "the body is not a JSON object", "invalid_request_error")
        return _chat(headers, request) if path.endswith("completions") else _embeddings(request)
    return _error(404, "no route {} {}".format(method, path), "not_found")


_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}


def reason(status):
    return _REASONS.get(status, "Unknown")


# -- ASGI ------------------------------------------------------------------------------
async def asgi(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    status, out_headers, chunks, _ = respond(scope["method"], scope["path"], headers, body)
    await send({"type": "http.response.start", "status": status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in out_headers]})
    for chunk in chunks:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


# -- WSGI ------------------------------------------------------------------------------
def wsgi(environ, start_response):
    length = environ.get("CONTENT_LENGTH") or "0"
    body = environ["wsgi.input"].read(int(length)) if length.isdigit() and int(length) else b""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    status, out_headers, chunks, streamed = respond(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                                    headers, body)
    start_response("{} {}".format(status, reason(status)), out_headers)
    if streamed:
        return iter(chunks)  # a generator-like iterable: the server sends each chunk as it comes
    return chunks

#!/usr/bin/env python3
"""Benchmark chatclient against the standard-library floor, in one run.

    python3 bench.py            # the full run (about a minute)
    python3 bench.py --quick    # fewer rounds

The floor is what raw ``http.client`` on one kept-alive connection plus
``json.loads`` costs for the same work (for streams: ``read1()`` and splitting
on blank lines).  A loopback stub server runs in a separate process and
reports its own CPU.  Each figure is a median over rounds that alternate
chatclient and the floor, so a noisy machine moves both alike; the ratio
chatclient/floor is what to read.
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))

COMPLETION = {
    "id": "chatcmpl-AaBbCcDdEeFf0123456789", "object": "chat.completion", "created": 1733000000,
    "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_50cad350e4",
    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                 "message": {"role": "assistant", "refusal": None, "content": (
                     "A mile is 5,280 feet. That is 1,760 yards, or about 1.609 kilometres; the unit comes from "
                     "the Roman mille passus, a thousand paces of two steps each. The statute mile was fixed "
                     "in England in 1593, and the nautical mile, 1,852 metres, is a different unit.")},
                 "content_filter_results": {k: {"filtered": False, "severity": "safe"}
                                            for k in ("hate", "self_harm", "sexual", "violence")}}],
    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {
        k: {"filtered": False, "severity": "safe"} for k in ("hate", "self_harm", "sexual", "violence")}}],
    "usage": {"prompt_tokens": 19, "completion_tokens": 62, "total_tokens": 81,
              "completion_tokens_details": {"reasoning_tokens": 0}, "prompt_tokens_details": {"cached_tokens": 0}},
}
COMPLETION_BYTES = json.dumps(COMPLETION).encode()
REQUEST = {"messages": [{"role": "system", "content": "You are a helpful assistant."},
                        {"role": "user", "content": "How many feet are in a mile?"}]}


def stream_event(i: int, sent: float = 0.0) -> bytes:
    return b"data: " + json.dumps({
        "id": "chatcmpl-AaBbCcDdEeFf0123456789", "object": "chat.completion.chunk", "created": 1733000000,
        "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_50cad350e4",
        "choices": [{"index": 0, "delta": {"content": " token%d" % i if not sent else "%.6f" % sent},
                     "logprobs": None, "finish_reason": None}]}).encode() + b"\n\n"


RESPONSE = {"id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b", "object": "response",
            "created_at": 1741476542, "status": "in_progress", "model": "gpt-4.1-2025-04-14", "output": [],
            "temperature": 1.0, "top_p": 1.0, "usage": None}


def response_event(kind: str, fields: Dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + json.dumps(dict(fields, type=kind)).encode() + b"\n\n"


def response_delta(i: int) -> bytes:
    """A streamed Responses API text delta, as OpenAI sends them."""
    return response_event("response.output_text.delta", {
        "item_id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b", "output_index": 0, "content_index": 0,
        "delta": " token%d" % i, "logprobs": [], "sequence_number": i + 1})


# ---------------------------------------------------------------------------
# The stub server (its own process)
# ---------------------------------------------------------------------------

def serve(port_file: str) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # /cpu: this process's CPU seconds so far, and the held requests
            self._send(json.dumps({"cpu": time.process_time(), "connections": Server.accepted,
                                   "held": Server.held, "closed": Server.closed}).encode())

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            query = dict(p.split("=") for p in (self.path.partition("?")[2] + "&" + self.headers.get("x-bench", ""))
                         .split("&") if "=" in p)  # the options also come as a header, for clients of other make
            if "hold" in query:  # keep the client waiting until it goes away; count both
                Server.held += 1
                try:
                    self.rfile.read(1)
                except OSError:
                    pass
                Server.closed += 1
                self.close_connection = True
                return
            if not body.get("stream"):
                time.sleep(float(query.get("wait", 0)))
                self._send(COMPLETION_BYTES)
                return
            chunks, delay, close = int(query.get("chunks", 100)), float(query.get("delay", 0)), "close" in query
            if self.path.startswith("/responses"):  # a Responses API stream: created, text deltas, completed
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                pieces = [response_event("response.created", {"response": RESPONSE, "sequence_number": 0})]
                pieces += [response_delta(i) for i in range(chunks)]
                pieces.append(response_event("response.completed", {"response": dict(RESPONSE, status="completed"),
                                                                    "sequence_number": chunks + 1}))
                for start in range(0, len(pieces), 200):
                    batch = b"".join(pieces[start:start + 200])
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(batch), batch))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            write = self.wfile.write if close else (lambda b: self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b)))
            if delay:
                for i in range(chunks):
                    write(stream_event(i, time.time()))
                    self.wfile.flush()
                    time.sleep(delay)
            else:
                batch: List[bytes] = []
                for i in range(chunks):
                    batch.append(stream_event(i))
                    if len(batch) == 200:
                        write(b"".join(batch))
                        batch = []
                if batch:
                    write(b"".join(batch))
            write(b'data: {"id": "x", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {}, '
                  b'"finish_reason": "stop"}]}\n\ndata: [DONE]\n\n')
            if not close:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _send(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 1024
        accepted = held = closed = 0

        def process_request(self, request: Any, client_address: Any) -> None:
            Server.accepted += 1
            super().process_request(request, client_address)

    server = Server(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


# ---------------------------------------------------------------------------
# The two clients under test
# ---------------------------------------------------------------------------

class Floor:
    """The standard-library floor: one kept-alive http.client connection, json.loads."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port)
        self.headers = {"Content-Type": "application/json", "Accept": "application/json", "api-key": "k"}

    def complete(self) -> str:
        self.conn.request("POST", "/chat/completions", json.dumps(REQUEST).encode(), self.headers)
        result: str = json.loads(self.conn.getresponse().read())["choices"][0]["message"]["content"]
        return result

    def stream(self, query: str, on_event: Callable[[Dict[str, Any]], None] = lambda e: None) -> int:
        body = json.dumps(dict(REQUEST, stream=True)).encode()
        self.conn.request("POST", "/chat/completions?" + query, body, self.headers)
        response = self.conn.getresponse()
        count, buffer = 0, b""
        while True:
            data = response.read1(65536)
            if not data:
                break
            events = (buffer + data).split(b"\n\n")
            buffer = events.pop()
            for event in events:
                if event.startswith(b"data: {"):
                    on_event(json.loads(event[6:]))
                    count += 1
        if "close" in query:
            self.conn.close()
        return count

    def responses_stream(self, query: str) -> int:
        """A Responses API stream: each event's data line, json.loads."""
        body = json.dumps({"model": "gpt-4.1", "input": "How many feet are in a mile?", "stream": True}).encode()
        self.conn.request("POST", "/responses?" + query, body, self.headers)
        response = self.conn.getresponse()
        count, buffer = 0, b""
        while True:
            data = response.read1(65536)
            if not data:
                break
            events = (buffer + data).split(b"\n\n")
            buffer = events.pop()
            for event in events:
                if json.loads(event[event.index(b"data: ") + 6:])["type"] == "response.output_text.delta":
                    count += 1
        return count


class Chat:
    """chatclient, used as its users do."""

    def __init__(self, port: int) -> None:
        sys.path.insert(0, HERE)
        import chatclient
        self.module = chatclient
        self.client = chatclient.ChatCompletionsClient("http://127.0.0.1:%d" % port, chatclient.AzureKeyCredential("k"),
                                                       api_version=None)
        self.face = chatclient.OpenAI(base_url="http://127.0.0.1:%d" % port, api_key="k")
        self.messages = [chatclient.SystemMessage(REQUEST["messages"][0]["content"]),
                         chatclient.UserMessage(REQUEST["messages"][1]["content"])]

    def complete(self) -> str:
        result: str = self.client.complete(messages=self.messages).choices[0].message.content
        return result

    def stream(self, query: str, on_event: Callable[[Any], None] = lambda e: None) -> int:
        params = dict(p.split("=") for p in query.split("&"))
        count = 0
        for update in self.client.complete(messages=self.messages, stream=True, params=params):
            if update.choices and update.choices[0].delta.content:
                on_event(update)
                count += 1
        return count

    def responses_stream(self, query: str) -> int:
        """The same Responses API stream, through the openai face's ``responses.create(stream=True)``."""
        params = dict(p.split("=") for p in query.split("&"))
        count = 0
        for event in self.face.responses.create(model="gpt-4.1", input="How many feet are in a mile?", stream=True,
                                                extra_query=params):
            if event.type == "response.output_text.delta":
                count += 1
        return count

    def final(self, query: str) -> int:
        """The same stream, read through get_final_completion()."""
        params = dict(p.split("=") for p in query.split("&"))
        stream = self.client.complete(messages=self.messages, stream=True, params=params)
        return len(stream.get_final_completion().choices[0].message.content)


class Face:
    """chatclient's openai face, used as code written for openai does."""

    def __init__(self, port: int) -> None:
        sys.path.insert(0, HERE)
        import chatclient
        self.client = chatclient.OpenAI(base_url="http://127.0.0.1:%d" % port, api_key="k")

    def stream(self, query: str) -> int:
        params = dict(p.split("=") for p in query.split("&"))
        count = 0
        for chunk in self.client.chat.completions.create(model="gpt-4o", messages=REQUEST["messages"], stream=True,
                                                         extra_query=params):
            if chunk.choices and chunk.choices[0].delta.content:
                count += 1
        return count


# Each side's memory workload, run alone in a fresh process that imports only what that side uses
# (importing this file would load http.client and http.server into both): n requests, then a stream,
# iterated or (chatclient) read through get_final_completion().
RSS_WORKLOADS = {
    "floor": """
import http.client, json
%(peak_rss)s
conn = http.client.HTTPConnection("127.0.0.1", %(port)d)
headers = {"Content-Type": "application/json", "Accept": "application/json", "api-key": "k"}
request = json.loads(%(request)r)
for _ in range(%(n)d):
    conn.request("POST", "/chat/completions", json.dumps(request).encode(), headers)
    json.loads(conn.getresponse().read())["choices"][0]["message"]["content"]
conn.request("POST", "/chat/completions?chunks=%(chunks)d", json.dumps(dict(request, stream=True)).encode(), headers)
response, buffer = conn.getresponse(), b""
while True:
    data = response.read1(65536)
    if not data:
        break
    events = (buffer + data).split(b"\\n\\n")
    buffer = events.pop()
    for event in events:
        if event.startswith(b"data: {"):
            json.loads(event[6:])
print(peak_rss())
""",
    "chat": """
import sys
%(peak_rss)s
sys.path.insert(0, %(here)r)
import chatclient as c
client = c.ChatCompletionsClient("http://127.0.0.1:%(port)d", c.AzureKeyCredential("k"), api_version=None)
request = %(request)r
messages = [c.SystemMessage(%(system)r), c.UserMessage(%(user)r)]
for _ in range(%(n)d):
    client.complete(messages=messages).choices[0].message.content
stream = client.complete(messages=messages, stream=True, params={"chunks": "%(chunks)d"})
if %(how)r == "final":
    stream.get_final_completion()
else:
    for update in stream:
        update.choices and update.choices[0].delta.content
print(peak_rss())
""",
}


# The peak resident set of this process alone: /proc's VmHWM (ru_maxrss would count the forking parent's,
# which Linux carries across exec, so every child would read the same).
PEAK_RSS = """
def peak_rss():
    try:
        with open("/proc/self/status") as f:
            return int(next(line.split()[1] for line in f if line.startswith("VmHWM:")))
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def rss_workload(side: str, port: int, n: int, chunks: int, how: str = "stream") -> str:
    return RSS_WORKLOADS[side] % dict(
        here=HERE, peak_rss=PEAK_RSS, port=port, n=n, chunks=chunks, how=how, request=json.dumps(REQUEST),
        system=REQUEST["messages"][0]["content"], user=REQUEST["messages"][1]["content"])


# ---------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------

def child_cpu(code: str, runs: int) -> List[float]:
    """CPU seconds (user + system) of ``python -c code`` in fresh processes."""
    import resource
    out = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True, cwd=HERE, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return out


def interleaved(fns: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, float]:
    """Median of each measurement, the measurements taking turns round by round."""
    results: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            results[name].append(fn())
    return {name: statistics.median(values) for name, values in results.items()}


def cpu_of(fn: Callable[[], Any]) -> Tuple[float, Any]:
    start = time.process_time()
    result = fn()
    return time.process_time() - start, result


def main() -> None:
    quick = "--quick" in sys.argv
    rounds = 3 if quick else 7
    port_file = os.path.join(HERE, ".bench-port-%d" % os.getpid())
    server = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve", port_file])
    try:
        for _ in range(500):
            if os.path.exists(port_file):
                break
            time.sleep(0.01)
        with open(port_file) as f:
            port = int(f.read())
        os.remove(port_file)
        run(port, rounds, quick)
    finally:
        server.kill()
        server.wait()


def server_stats(port: int) -> Dict[str, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/cpu")
    stats: Dict[str, float] = json.loads(conn.getresponse().read())
    conn.close()
    return stats


def run(port: int, rounds: int, quick: bool) -> None:
    rows: List[Tuple[str, str, str, str, str]] = []

    def row(what: str, ours: float, floor: float, unit: str, target: str) -> None:
        ratio = ours / floor if floor else float("nan")
        rows.append((what, "%.3g %s" % (ours, unit), "%.3g %s" % (floor, unit), "%.2fx" % ratio, target))
        print("%-44s chatclient %-14s floor %-14s ratio %-7s target %s" % rows[-1], flush=True)

    print("machine: %s, %d cores, Python %s" % (sys.platform, os.cpu_count() or 0, sys.version.split()[0]))
    import py_compile  # the import is measured with its bytecode cached, as an installed module has it
    py_compile.compile(os.path.join(HERE, "chatclient.py"), doraise=True)

    # import, and a cold process
    runs = 7 if quick else 21
    samples = {name: [] for name in ("pass", "chat", "floor", "cold chat", "cold floor", "cold openai")
               }  # type: Dict[str, List[float]]
    cold_chat = ("import sys; sys.path.insert(0, %r); import chatclient as c; "
                 "print(c.ChatCompletionsClient('http://127.0.0.1:%d', c.AzureKeyCredential('k'), api_version=None)"
                 ".complete(messages=[c.UserMessage('hi')]).id, end='')" % (HERE, port))
    cold_floor = ("import http.client, json; conn = http.client.HTTPConnection('127.0.0.1', %d); "
                  "conn.request('POST', '/chat/completions', json.dumps({'messages': [{'role': 'user', "
                  "'content': 'hi'}]}).encode(), {'Content-Type': 'application/json', 'api-key': 'k'}); "
                  "print(json.loads(conn.getresponse().read())['id'], end='')" % port)
    cold_openai = ("import sys; sys.path.insert(0, %r); import chatclient as c; "
                   "print(c.OpenAI(base_url='http://127.0.0.1:%d', api_key='k').chat.completions.create("
                   "model='gpt-4o', messages=[{'role': 'user', 'content': 'hi'}]).id, end='')" % (HERE, port))
    for _ in range(runs):
        samples["cold openai"] += child_cpu(cold_openai, 1)
        samples["pass"] += child_cpu("pass", 1)
        samples["chat"] += child_cpu("import sys; sys.path.insert(0, %r); import chatclient" % HERE, 1)
        samples["floor"] += child_cpu("import http.client, json", 1)
        samples["cold chat"] += child_cpu(cold_chat, 1)
        samples["cold floor"] += child_cpu(cold_floor, 1)
    med = {k: statistics.median(v) for k, v in samples.items()}
    row("import CPU (minus `python -c pass`)", (med["chat"] - med["pass"]) * 1e3, (med["floor"] - med["pass"]) * 1e3,
        "ms", "<= 1.1x")
    row("cold process CPU (import, client, 1 request)", med["cold chat"] * 1e3, med["cold floor"] * 1e3, "ms",
        "<= 1.2x")
    row("cold process, openai face (OpenAI(...).create)", med["cold openai"] * 1e3, med["cold floor"] * 1e3, "ms",
        "<= 1.1x")

    # warm requests
    chat, floor = Chat(port), Floor(port)
    n = 400 if quick else 2000
    before = server_stats(port)
    per_round = max(1, n // rounds)
    warm = interleaved({
        "chat": lambda: cpu_of(lambda: [chat.complete() for _ in range(per_round)])[0] / per_round,
        "floor": lambda: cpu_of(lambda: [floor.complete() for _ in range(per_round)])[0] / per_round,
    }, rounds)
    after = server_stats(port)
    row("warm request, client CPU", warm["chat"] * 1e6, warm["floor"] * 1e6, "us", "<= 1.5x")
    print("  connections opened by chatclient for %d requests: %d; server CPU per request %.0f us" % (
        per_round * rounds, chat.client._pool.connections_opened,
        (after["cpu"] - before["cpu"]) / (2 * per_round * rounds) * 1e6))

    # a long stream
    chunks = 5000 if quick else 20000
    wall: Dict[str, List[float]] = {"chat": [], "floor": []}

    def stream_cpu(name: str, client: Any) -> float:
        start = time.perf_counter()
        cpu, count = cpu_of(lambda: client.stream("chunks=%d" % chunks))
        wall[name].append(time.perf_counter() - start)
        assert count >= chunks, (name, count)
        return float(cpu) / chunks
    per_chunk = interleaved({"chat": lambda: stream_cpu("chat", chat), "floor": lambda: stream_cpu("floor", floor)},
                            rounds)
    row("stream, client CPU per chunk", per_chunk["chat"] * 1e6, per_chunk["floor"] * 1e6, "us", "<= 1.5x")
    row("stream, chunks per second (wall)", chunks / statistics.median(wall["chat"]),
        chunks / statistics.median(wall["floor"]), "/s", "")
    face = Face(port)
    per_chunk = interleaved({"chat": lambda: stream_cpu("chat", face), "floor": lambda: stream_cpu("floor", floor)},
                            rounds)
    row("stream through openai face's Stream, CPU/chunk", per_chunk["chat"] * 1e6, per_chunk["floor"] * 1e6, "us",
        "<= 1.5x")

    def responses_cpu(client: Any) -> float:
        cpu, count = cpu_of(lambda: client.responses_stream("chunks=%d" % chunks))
        assert count == chunks, count
        return float(cpu) / (chunks + 2)
    per_event = interleaved({"chat": lambda: responses_cpu(chat), "floor": lambda: responses_cpu(floor)}, rounds)
    row("streamed Responses event, client CPU per event", per_event["chat"] * 1e6, per_event["floor"] * 1e6, "us",
        "<= 1.5x")

    # first-token lag: the server stamps each chunk with its send time
    for framing, query in (("chunked", "chunks=4&delay=0.2"), ("close-delimited", "chunks=4&delay=0.2&close=1")):
        lags: Dict[str, List[float]] = {"chat": [], "floor": []}

        def chat_lag(update: Any, lags: Dict[str, List[float]] = lags) -> None:
            lags["chat"].append(time.time() - float(update.choices[0].delta.content))

        def floor_lag(event: Dict[str, Any], lags: Dict[str, List[float]] = lags) -> None:
            delta = event["choices"][0]["delta"]
            if delta:
                lags["floor"].append(time.time() - float(delta["content"]))
        for _ in range(2 if quick else 3):
            chat.stream(query, chat_lag)
            floor.stream(query, floor_lag)
        row("first-token lag, %s (median)" % framing, statistics.median(lags["chat"]) * 1e3,
            statistics.median(lags["floor"]) * 1e3, "ms", "< 2 ms")

    # peak memory of a whole workload in a fresh process that imports only what its side uses
    rss = {name: statistics.median(
        int(subprocess.run([sys.executable, "-c", rss_workload(name, port, n, chunks)],
                           capture_output=True, text=True, check=True).stdout) for _ in range(3))
        for name in RSS_WORKLOADS}
    row("peak RSS, %d requests + %d-chunk stream" % (n, chunks), rss["chat"] / 1024, rss["floor"] / 1024, "MiB",
        "<= 1.15x")
    final_rss = {how: statistics.median(
        int(subprocess.run([sys.executable, "-c", rss_workload("chat", port, 0, 20000, how)], capture_output=True,
                           text=True, check=True).stdout)
        for _ in range(5)) for how in ("stream", "final")}
    print("  peak RSS of one 20000-chunk stream: %.2f MiB iterated, %.2f MiB with get_final_completion() "
          "(+%.2f MiB; target <= 0.3)" % (final_rss["stream"] / 1024, final_rss["final"] / 1024,
                                           (final_rss["final"] - final_rss["stream"]) / 1024))

    # the SSE parser alone
    sys.path.insert(0, HERE)
    from chatclient import SSEParser
    size = (10 if quick else 50) << 20
    event = stream_event(12345)
    data = event * (size // len(event))
    blocks = [data[i:i + 65536] for i in range(0, len(data), 65536)]

    def parser_run() -> float:
        parser, count = SSEParser(), 0
        start = time.perf_counter()
        for block in blocks:
            count += len(parser.feed(block))
        return count / (time.perf_counter() - start)

    def split_run() -> float:
        buffer, count = b"", 0
        start = time.perf_counter()
        for block in blocks:
            events = (buffer + block).split(b"\n\n")
            buffer = events.pop()
            count += len(events)
        return count / (time.perf_counter() - start)
    speed = interleaved({"chat": parser_run, "floor": split_run}, max(3, rounds // 2))
    row("SSEParser on %d MB, events/s" % (size >> 20), speed["chat"], speed["floor"], "/s", ">= 0.4x")
    run_async(port, quick)
    print("\nserver process CPU in all: %.1f s (it is not the bottleneck: client CPU is what is compared)"
          % server_stats(port)["cpu"])


def run_async(port: int, quick: bool) -> None:
    """The async client against the targets of its own: concurrency, streams, cancellation."""
    import asyncio
    import signal
    import threading
    sys.path.insert(0, HERE)
    import chatclient as c
    url = "http://127.0.0.1:%d" % port
    messages = [c.UserMessage("hi")]
    print("\nasync client (targets: 500 x 1 s requests <= 1.3 s; 200 streams of 20 chunks 50 ms apart <= 1.3 s; "
          "no thread; 200 cancellations closed <= 0.1 s; next request <= 0.2 s; exit on Ctrl-C <= 0.5 s)")

    async def many(n: int) -> float:
        async with c.AsyncChatCompletionsClient(url, c.AzureKeyCredential("k"), api_version=None,
                                                connection_limit=n) as client:
            start = time.perf_counter()
            results = await asyncio.gather(*(client.complete(messages=messages, params={"wait": "1"})
                                             for _ in range(n)))
            assert len(results) == n
            return time.perf_counter() - start
    threads = threading.active_count()
    print("  %d concurrent requests, server 1 s each (connection_limit=500): %.2f s; threads started: %d" % (
        500, asyncio.run(many(500)), threading.active_count() - threads))

    async def streams(n: int) -> float:
        async with c.AsyncChatCompletionsClient(url, c.AzureKeyCredential("k"), api_version=None,
                                                connection_limit=n) as client:
            async def one() -> int:
                stream = await client.complete(messages=messages, stream=True,
                                               params={"chunks": "20", "delay": "0.05"})
                return len([u async for u in stream])
            start = time.perf_counter()
            counts = await asyncio.gather(*(one() for _ in range(n)))
            assert all(count >= 20 for count in counts), counts
            return time.perf_counter() - start
    print("  %d concurrent 20-chunk streams (connection_limit=200): %.2f s" % (200, asyncio.run(streams(200))))

    async def cancellations(n: int) -> Tuple[float, float]:
        before = server_stats(port)
        async with c.AsyncChatCompletionsClient(url, c.AzureKeyCredential("k"), api_version=None,
                                                connection_limit=n) as client:
            tasks = [asyncio.ensure_future(client.complete(messages=messages, params={"hold": "1"}))
                     for _ in range(n)]
            while server_stats(port)["held"] - before["held"] < n:
                await asyncio.sleep(0.01)
            start = time.perf_counter()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            while server_stats(port)["closed"] - before["closed"] < n:
                await asyncio.sleep(0.001)
            closed = time.perf_counter() - start
            start = time.perf_counter()
            await client.complete(messages=messages)
            return closed, time.perf_counter() - start
    closed, following = asyncio.run(cancellations(200))
    print("  200 cancelled while waiting for headers: all closed at the server in %.3f s; "
          "the next request took %.3f s" % (closed, following))

    code = ("import asyncio, sys; sys.path.insert(0, %r); import chatclient as c\n"
            "async def main():\n"
            "    async with c.AsyncChatCompletionsClient(%r, None, api_version=None) as client:\n"
            "        tasks = [client.complete(messages=[c.UserMessage('hi')], params={'hold': '1'})\n"
            "                 for _ in range(20)]\n"
            "        print('waiting', flush=True)\n"
            "        await asyncio.gather(*tasks)\n"
            "asyncio.run(main())\n") % (HERE, url)
    held = server_stats(port)["held"]
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None and process.stdout.readline() == b"waiting\n"
    while server_stats(port)["held"] - held < 20:
        time.sleep(0.01)
    start = time.perf_counter()
    process.send_signal(signal.SIGINT)
    process.wait()
    process.stdout.close()
    print("  a process with 20 pending calls exits %.3f s after Ctrl-C" % (time.perf_counter() - start))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        main()

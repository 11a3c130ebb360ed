"""Run chatclient against real server stacks, each serving app.py (or app.js).

    python3 check.py [--ca FILE] [--only CHECK,...] [--timeout S] [--budget S] TARGET...

Each TARGET is NAME=URL (the server's root, e.g. http://127.0.0.1:8000);
NAME=URL@PROXY to go through a proxy, which the client finds in HTTP_PROXY (for an
http URL) or HTTPS_PROXY (for an https URL), set for that target only; or NAME=!REASON
for a stack that could not be set up (each of its checks fails with REASON).  --ca is
the CA file that https targets are verified with.

For each target: wait until it accepts connections (bounded), check that the app
answers as it should with http.client (the check "reference": a failure there is the
stack's or the harness's, not chatclient's), then run the other checks with
chatclient's blocking and async clients.  Prints one line per target and check (PASS,
or FAIL with the reason), then "checks: N passed, M failed" and "stacks: N passed,
M failed" (a stack passes when all its checks pass); exits 1 on any failure.

chatclient is imported from the repository root (two directories up); it needs nothing
but the standard library.
"""

import argparse
import asyncio
import functools
import http.client
import json
import logging
import os
import socket
import ssl
import sys
import threading
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

import chatclient as cc  # noqa: E402

logging.getLogger("chatclient").addHandler(logging.NullHandler())  # retries are expected here: not shown

BIG = "0123456789" * 100000  # app.py's answer for model "big"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
SETTINGS = {"connection_timeout": 5.0, "read_timeout": 10.0, "timeout": 30.0}  # no call waits longer than this


def wait_ready(url, seconds):
    """Poll until the server accepts a connection, at most ``seconds``."""
    parts = urlsplit(url)
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=1).close()
            return
        except OSError as exc:
            if time.monotonic() >= deadline:
                raise AssertionError("the server did not accept connections within {:g}s: {}".format(
                    seconds, exc)) from None
            time.sleep(0.05)


def messages(text):
    return [cc.SystemMessage("You echo."), cc.UserMessage(text)]


def expect(what, got, wanted):
    if got != wanted:
        shown = repr(got) if len(repr(got)) < 120 else "{!r}... ({} chars)".format(got[:60], len(got))
        raise AssertionError("{}: got {}, wanted {!r}".format(what, shown, wanted if len(repr(wanted)) < 120
                                                              else "{} chars".format(len(wanted))))


def answer(result):
    expect("finish_reason", result.choices[0].finish_reason, cc.CompletionsFinishReason.STOPPED)
    return result.choices[0].message.content


# -- the checks -------------------------------------------------------------------------
class Target:
    def __init__(self, name, url, proxy, ca):
        self.name, self.url, self.proxy, self.ca = name, url, proxy, ca

    def client(self, cls, **kwargs):
        kwargs.update(SETTINGS)
        if self.ca and self.url.startswith("https:"):
            kwargs["connection_verify"] = self.ca
        return cls(self.url + "/v1", cc.AzureKeyCredential("k"), model="m", **kwargs)

    # -- the app itself, through the same stack, with the standard library's http.client ------
    def _reference(self, method, path, body=None, headers=None):
        """(status, headers, body) from http.client, through the target's proxy if any: what
        the app answered, told apart from what chatclient made of it."""
        parts = urlsplit(self.url)
        headers = dict(headers or {}, Host=parts.netloc)
        data = None if body is None else json.dumps(body).encode("utf-8")
        if data is not None:
            headers["Content-Type"] = "application/json"
        target = parts.path + path
        if self.proxy and parts.scheme == "http":
            proxy = urlsplit(self.proxy)
            conn = http.client.HTTPConnection(proxy.hostname, proxy.port, timeout=10)
            target = self.url + path
        elif parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca)
            if self.proxy:
                proxy = urlsplit(self.proxy)
                conn = http.client.HTTPSConnection(proxy.hostname, proxy.port, timeout=10, context=context)
                conn.set_tunnel(parts.hostname, parts.port)
            else:
                conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request(method, target, data, headers)
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def reference(self):
        chat = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        status, _, body = self._reference("GET", "/v1/models")
        expect("GET /v1/models", (status, [m["id"] for m in json.loads(body)["data"]]), (200, ["m", "big", "fail"]))
        status, _, body = self._reference("POST", "/v1/chat/completions", chat)
        expect("chat", (status, json.loads(body)["choices"][0]["message"]["content"]), (200, "echo: hi"))
        status, headers, body = self._reference("POST", "/v1/chat/completions", dict(chat, stream=True))
        events = [line[6:] for line in body.decode("utf-8").split("\n\n") if line.startswith("data: ")]
        expect("stream status and type", (status, headers.get("Content-Type")), (200, "text/event-stream"))
        expect("stream events", len(events), 6)
        expect("stream text", "".join(json.loads(e)["choices"][0]["delta"].get("content", "") for e in events[:-1]),
               "echo: hi")
        expect("stream end", (json.loads(events[-2])["choices"][0]["finish_reason"], events[-1]), ("stop", "[DONE]"))
        once = {"x-test": "429-once", "x-ms-client-request-id": "reference-{}".format(time.time())}
        status, headers, _ = self._reference("POST", "/v1/chat/completions", chat, once)
        expect("first 429-once", (status, headers.get("Retry-After")), (429, "0"))
        status, _, body = self._reference("POST", "/v1/chat/completions", chat, once)
        expect("second 429-once", (status, json.loads(body)["choices"][0]["message"]["content"]), (200, "retried: hi"))
        status, _, body = self._reference("POST", "/v1/chat/completions", dict(chat, model="fail"))
        expect("model fail", (status, json.loads(body)), (500, {"error": {"message": "boom", "type": "server_error",
                                                                          "code": "x"}}))
        status, _, body = self._reference("POST", "/v1/chat/completions", dict(chat, model="big"))
        expect("model big", (status, json.loads(body)["choices"][0]["message"]["content"] == BIG), (200, True))
        status, _, body = self._reference("POST", "/v1/embeddings", {"input": ["ab", "cde"]})
        expect("embeddings", (status, [d["embedding"] for d in json.loads(body)["data"]]),
               (200, [[2.0, 0.0, 0.5], [3.0, 1.0, 0.5]]))

    # -- chatclient's blocking client ----------------------------------------------------
    def sequential(self):
        with self.client(cc.ChatCompletionsClient) as client:
            for i in range(30):
                try:
                    expect("answer", answer(client.complete(messages=messages("call {}".format(i)))),
                           "echo: call {}".format(i))
                except Exception as exc:
                    raise AssertionError("call {} of 30: {}".format(i + 1, describe(exc))) from None

    def stream(self):
        with self.client(cc.ChatCompletionsClient) as client:
            for i in range(3):  # three on one client: each after a stream on the same connection
                try:
                    check_stream_updates(list(client.complete(messages=messages("stream {}".format(i)), stream=True)),
                                         "echo: stream {}".format(i))
                    final = client.complete(messages=messages("final {}".format(i)), stream=True)
                    expect("get_final_completion()", answer(final.get_final_completion()), "echo: final {}".format(i))
                except Exception as exc:
                    raise AssertionError("stream {} of 3: {}".format(i + 1, describe(exc))) from None

    def embeddings(self):
        with self.client(cc.EmbeddingsClient) as client:
            result = client.embed(input=["ab", "cde"])
            expect("embeddings", [item.embedding for item in result.data], [[2.0, 0.0, 0.5], [3.0, 1.0, 0.5]])

    def model_info(self):
        with self.client(cc.ChatCompletionsClient) as client:
            info = client.get_model_info()
            expect("model_name", info.model_name, "m")
            expect("model_provider_name", info.model_provider_name, "stacks")

    def retry_429(self):
        with self.client(cc.ChatCompletionsClient) as client:
            expect("answer after the 429", answer(client.complete(
                messages=messages("again"), headers={"x-test": "429-once"})), "retried: again")
            expect("the next answer", answer(client.complete(messages=messages("next"))), "echo: next")

    def error_500(self):
        with self.client(cc.ChatCompletionsClient) as client:
            for retries in (0, 2):  # at once, and after two retries (whose error bodies are dropped)
                try:
                    client.complete(messages=messages("x"), model="fail", retry_total=retries,
                                    retry_backoff_factor=0)
                except cc.HttpResponseError as exc:
                    expect("status_code", exc.status_code, 500)
                    expect("error.message (the server's body)", exc.error and exc.error.message, "boom")
                    expect("error.code", exc.error.code, "x")
                else:
                    raise AssertionError("no HttpResponseError for a 500")
            expect("the next answer", answer(client.complete(messages=messages("after"))), "echo: after")

    def big(self):
        with self.client(cc.ChatCompletionsClient) as client:
            expect("the 1 MB answer", answer(client.complete(messages=messages("big"), model="big")), BIG)
            expect("the next answer", answer(client.complete(messages=messages("after"))), "echo: after")

    # -- the async client --------------------------------------------------------------
    def async_concurrent(self):
        async def main(round):
            async with self.client(cc.AsyncChatCompletionsClient) as client:
                async def one(i):
                    return answer(await client.complete(messages=messages("async {}".format(i))))
                results = await asyncio.gather(*(one(i) for i in range(20)), return_exceptions=True)
            try:
                check_gathered(results, ["echo: async {}".format(i) for i in range(20)])
            except AssertionError as exc:
                raise AssertionError("round {} of 3: {}".format(round, exc)) from None
        for round in (1, 2, 3):  # a burst of 20 connects on a new client each time: a race is lost in some
            asyncio.run(main(round))

    def async_streams(self):
        async def main():
            async with self.client(cc.AsyncChatCompletionsClient) as client:
                async def one(i):
                    stream = await client.complete(messages=messages("astream {}".format(i)), stream=True)
                    updates = []
                    async for update in stream:
                        updates.append(update)
                    check_stream_updates(updates, "echo: astream {}".format(i))
                    final = await client.complete(messages=messages("afinal {}".format(i)), stream=True)
                    return answer(await final.get_final_completion())
                results = await asyncio.gather(*(one(i) for i in range(5)), return_exceptions=True)
            check_gathered(results, ["echo: afinal {}".format(i) for i in range(5)])
        asyncio.run(main())

    CHECKS = ("reference", "sequential", "stream", "embeddings", "model_info", "retry_429", "error_500", "big",
              "async_concurrent", "async_streams")


def check_stream_updates(updates, text):
    pieces = [u.choices[0].delta.content or "" for u in updates if u.choices]
    expect("streamed text", "".join(pieces), text)
    expect("updates with content", sum(1 for p in pieces if p), 3)
    expect("last finish_reason", updates[-1].choices[0].finish_reason, cc.CompletionsFinishReason.STOPPED)


def check_gathered(results, wanted):
    wrong = [(i, r) for i, (r, w) in enumerate(zip(results, wanted)) if r != w]
    if wrong:
        i, first = wrong[0]
        raise AssertionError("{} of {} wrong; the first, #{}: {}".format(
            len(wrong), len(wanted), i, describe(first) if isinstance(first, BaseException) else repr(first)))


def describe(exc):
    text = str(exc) if isinstance(exc, AssertionError) else "{}: {}".format(type(exc).__name__, exc)
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def run_bounded(function, seconds):
    """``function()``'s error (None if it passed), or a timeout: in a thread, at most ``seconds``."""
    outcome = []

    def target():
        try:
            function()
            outcome.append(None)
        except BaseException as exc:  # noqa: B036 - any failure is the check's outcome
            outcome.append(exc)
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        return AssertionError("did not finish within {:g}s".format(seconds))
    return outcome[0]


def set_proxy(target):
    """HTTP_PROXY or HTTPS_PROXY for this target only; every other proxy variable unset."""
    for name in list(os.environ):
        if name.lower() in PROXY_VARIABLES:
            del os.environ[name]
    if target.proxy:
        os.environ[urlsplit(target.url).scheme.upper() + "_PROXY"] = target.proxy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", metavar="NAME=URL[@PROXY]")
    parser.add_argument("--ca", help="the CA file for https targets")
    parser.add_argument("--timeout", type=float, default=20.0, help="the most one check may take (s)")
    parser.add_argument("--budget", type=float, default=200.0,
                        help="the most all checks may take (s); checks not started by then fail as not run")
    parser.add_argument("--ready", type=float, default=30.0, help="the most a server may take to start (s)")
    parser.add_argument("--only", help="run only these checks (comma-separated)")
    args = parser.parse_args()
    checks = args.only.split(",") if args.only else Target.CHECKS
    passed = failed = stacks_passed = stacks_failed = 0
    budget_end = time.monotonic() + args.budget
    for spec in args.targets:
        name, _, rest = spec.partition("=")
        url, _, proxy = rest.partition("@")
        target = Target(name, url.rstrip("/"), proxy or None, args.ca)
        set_proxy(target)
        started = time.monotonic()
        ok = True
        if url.startswith("!"):  # a stack that could not be set up: ./run says why
            error = AssertionError(url[1:])
        elif time.monotonic() > budget_end:
            error = AssertionError("not run: the time budget (--budget {:g}s) ran out".format(args.budget))
        else:
            error = run_bounded(functools.partial(wait_ready, proxy or url, args.ready), args.ready + 5)
        for check in checks:
            began = time.monotonic()
            if error is None and time.monotonic() > budget_end:
                error = AssertionError("not run: the time budget (--budget {:g}s) ran out".format(args.budget))
            outcome = error if error is not None else run_bounded(getattr(target, check), args.timeout)
            if outcome is None:
                passed += 1
                print("PASS {} {} ({:.2f}s)".format(name, check, time.monotonic() - began), flush=True)
            else:
                failed += 1
                ok = False
                print("FAIL {} {}: {}".format(name, check, describe(outcome)), flush=True)
        stacks_passed, stacks_failed = stacks_passed + ok, stacks_failed + (not ok)
        print("---- {}: {} in {:.1f}s".format(name, "all passed" if ok else "FAILED", time.monotonic() - started),
              flush=True)
    set_proxy(Target("", "", None, None))
    print("checks: {} passed, {} failed".format(passed, failed))
    print("stacks: {} passed, {} failed".format(stacks_passed, stacks_failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

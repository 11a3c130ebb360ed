"""Records the wire of the real openai package for a list of calls, once, from a scratch
environment outside the repository (the tests never import openai):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install openai==3.57.0 pydantic
    /tmp/venv/bin/python testdata/record_openai_wire.py testdata/openai_wire.json

Writes each scenario (client, call, the server's replies) with the requests openai sent and what
the call returned or raised; test_chatclient.OpenAIWireTest replays them on chatclient's face.
"""
import json
import queue
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from enum import Enum
from typing import List, Optional, Union

import openai
import pydantic

OUT = sys.argv[1]


# Structured output: pydantic models (test_chatclient has their dataclass twins, same names and fields).
class Step(pydantic.BaseModel):
    explanation: str
    output: str


class MathResponse(pydantic.BaseModel):
    steps: List[Step]
    final_answer: str


class Table(str, Enum):
    orders = "orders"
    customers = "customers"


class DynamicValue(pydantic.BaseModel):
    column_name: str


class Condition(pydantic.BaseModel):
    column: str
    operator: Optional[str]
    value: Union[str, int, DynamicValue]


class Query(pydantic.BaseModel):
    """Look up rows."""
    table_name: Table
    conditions: List[Condition]


class GetWeather(pydantic.BaseModel):
    city: str
    country: str


MODELS_BY_NAME = {cls.__name__: cls for cls in (MathResponse, Query, GetWeather)}

CHAT = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": "Hello!", "refusal": None,
                                 "reasoning_content": "thought", "annotations": []}}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12,
                  "completion_tokens_details": {"reasoning_tokens": 0}},
        "system_fingerprint": "fp_1", "service_tier": None, "extra_top": {"x": 1}}
TOOL_CHAT = {"id": "chatcmpl-2", "object": "chat.completion", "created": 1700000001, "model": "gpt-4o",
             "choices": [{"index": 0, "finish_reason": "tool_calls", "logprobs": None,
                          "message": {"role": "assistant", "content": None, "tool_calls": [
                              {"id": "call_1", "type": "function",
                               "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
             "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25}}
CHUNKS = [
    {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "choices": [],
     "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]},
    {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o",
     "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "logprobs": None, "finish_reason": None}]},
    {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o",
     "choices": [{"index": 0, "delta": {"content": "Hel"}, "logprobs": None, "finish_reason": None}]},
    {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o",
     "choices": [{"index": 0, "delta": {"content": "lo"}, "logprobs": None, "finish_reason": "stop"}]},
    {"id": "c1", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "choices": [],
     "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}},
]
SSE = "".join("data: {}\n\n".format(json.dumps(c)) for c in CHUNKS) + "data: [DONE]\n\n"
# [0.5, -1.0, 0.25] as little-endian float32, base64
B64 = "AAAAPwAAgL8AAIA+"
EMB_B64 = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": B64}],
           "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2}}
EMB_FLOAT = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5, -1, 0.25]}],
             "model": "text-embedding-3-small", "usage": {"prompt_tokens": 2, "total_tokens": 2}}
MODELS = {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "created": 1700000000, "owned_by": "openai"},
                                     {"id": "meta/llama-3", "object": "model", "created": 1, "owned_by": "meta"}]}
MODEL = {"id": "meta/llama-3", "object": "model", "created": 1, "owned_by": "meta"}
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                          "required": ["city"]}}}]
MATH = {"steps": [{"explanation": "Subtract 31", "output": "8x = -29"},
                  {"explanation": "Divide", "output": "x = -29/8"}], "final_answer": "x = -29/8"}
QUERY_ARGS = {"table_name": "orders", "conditions": [
    {"column": "status", "operator": "=", "value": "fulfilled"},
    {"column": "ordered_at", "operator": None, "value": {"column_name": "shipped_at"}},
    {"column": "id", "operator": ">", "value": 7}]}
STRICT_DICT_TOOL = {"type": "function", "function": {
    "name": "lookup", "strict": True, "parameters": {"type": "object", "properties": {"key": {"type": "string"}},
                                                     "required": ["key"], "additionalProperties": False}}}
DICT_FORMAT = {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": {
    "type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"],
    "additionalProperties": False}}}


def chat_with(message, finish="stop", **top):
    return dict({"id": "chatcmpl-p", "object": "chat.completion", "created": 1700000002, "model": "gpt-4o",
                 "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                              "message": dict({"role": "assistant", "refusal": None}, **message)}],
                 "usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42}}, **top)


def chunk(delta=None, finish=None, logprobs=None, usage=None, choices=True):
    body = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1700000003, "model": "gpt-4o",
            "system_fingerprint": "fp_s", "choices": [{"index": 0, "delta": delta or {}, "logprobs": logprobs,
                                                      "finish_reason": finish}] if choices else []}
    if usage is not None:
        body["usage"] = usage
    return body


def pieces(text, size):
    return [text[i:i + size] for i in range(0, len(text), size)]


def sse_of(*chunks):
    return [200, {"Content-Type": "text/event-stream", "x-request-id": "req_ps"},
            "".join("data: {}\n\n".format(json.dumps(c)) for c in chunks) + "data: [DONE]\n\n"]


MATH_TEXT = json.dumps(MATH)
STREAM_MATH = [chunk({"role": "assistant", "content": "", "refusal": None})] + [
    chunk({"content": p}) for p in pieces(MATH_TEXT, 9)] + [
    chunk(finish="stop"),
    chunk(choices=False, usage={"prompt_tokens": 5, "completion_tokens": 20, "total_tokens": 25})]
WEATHER_ARGS = [json.dumps({"city": "San Francisco", "country": "US"}),
                json.dumps({"city": "New York", "country": "US"})]
STREAM_TOOLS = [chunk({"role": "assistant", "content": None})]
for n, args in enumerate(WEATHER_ARGS):
    STREAM_TOOLS.append(chunk({"tool_calls": [{"index": n, "id": "call_w%d" % n, "type": "function",
                                               "function": {"name": "get_weather", "arguments": ""}}]}))
    STREAM_TOOLS += [chunk({"tool_calls": [{"index": n, "function": {"arguments": p}}]}) for p in pieces(args, 7)]
STREAM_TOOLS.append(chunk(finish="tool_calls"))
STREAM_REFUSAL = [chunk({"role": "assistant", "content": None, "refusal": ""})] + [
    chunk({"refusal": p}) for p in ("I'm sorry", ", I can't", " help with that.")] + [chunk(finish="stop")]
LOGPROB = [{"token": "Hi", "logprob": -0.5, "bytes": [72, 105], "top_logprobs": []}]
STREAM_LOGPROBS = [chunk({"role": "assistant", "content": ""}),
                   chunk({"content": "Hi"}, logprobs={"content": LOGPROB, "refusal": None}),
                   chunk({"content": " there"}, logprobs={"content": [dict(LOGPROB[0], token=" there")],
                                                          "refusal": None}),
                   chunk(finish="stop")]
STREAM_LENGTH = [chunk({"role": "assistant", "content": ""}), chunk({"content": "{\"steps\": ["}),
                 chunk(finish="length")]
PARSE_TOOLS_REPLY = chat_with({"content": None, "tool_calls": [
    {"id": "call_q", "type": "function", "function": {"name": "Query", "arguments": json.dumps(QUERY_ARGS)}},
    {"id": "call_l", "type": "function", "function": {"name": "lookup", "arguments": "{\"key\": \"k1\"}"}},
    {"id": "call_c", "type": "custom", "custom": {"name": "grammar", "input": "x"}}]}, finish="tool_calls")

ERR = {"error": {"message": "Bad things", "type": "invalid_request_error", "param": None, "code": "bad_thing"}}


def ok(body, **headers):
    return [200, dict({"Content-Type": "application/json", "x-request-id": "req_123"}, **headers), json.dumps(body)]


def sse_reply():
    return [200, {"Content-Type": "text/event-stream", "x-request-id": "req_s"}, SSE]


def err(status, body=ERR, **headers):
    text = body if isinstance(body, str) else json.dumps(body)
    return [status, dict({"Content-Type": "application/json", "x-request-id": "req_err"}, **headers), text]


KEYED = {"api_key": "sk-test", "base_url": "{base}/v1"}
AZURE = {"api_key": "az-key", "api_version": "2024-10-21", "azure_endpoint": "{base}"}
SCENARIOS = [
    ("chat_basic", ["OpenAI", KEYED], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [ok(CHAT)]),
    ("chat_many_params", ["OpenAI", KEYED], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "temperature": 0.5, "top_p": 1, "max_tokens": 10,
        "max_completion_tokens": 20, "n": 1, "stop": ["END"], "seed": 7, "presence_penalty": 0,
        "frequency_penalty": 0.0, "logit_bias": {"50256": -100}, "logprobs": True, "top_logprobs": 2, "user": "u1",
        "tools": TOOLS, "tool_choice": "auto", "parallel_tool_calls": False,
        "response_format": {"type": "json_object"}, "metadata": {"k": "v"}, "store": False,
        "reasoning_effort": "low", "service_tier": "auto", "modalities": ["text"],
        "prediction": {"type": "content", "content": "x"}, "prompt_cache_key": "pk", "safety_identifier": "s1",
        "verbosity": "low", "web_search_options": {}}], [ok(TOOL_CHAT)]),
    ("chat_none_values", ["OpenAI", KEYED], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "temperature": None, "stop": None, "stream": False,
        "max_tokens": {"$not_given": True}, "seed": {"$omit": True}}], [ok(CHAT)]),
    ("chat_extra", ["OpenAI", KEYED], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "temperature": 1,
        "extra_headers": {"X-Custom": "yes", "authorization": "Bearer other"},
        "extra_query": {"q": "1", "flag": True, "lst": ["a", "b"]},
        "extra_body": {"temperature": 0.1, "custom": {"x": 1}}, "timeout": 30}], [ok(CHAT)]),
    ("chat_stream", ["OpenAI", KEYED], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}],
     [sse_reply()]),
    ("chat_tool_roundtrip", ["OpenAI", KEYED], ["$roundtrip", {"model": "gpt-4o", "messages": MESSAGES,
                                                               "tools": TOOLS}],
     [ok(TOOL_CHAT), ok(CHAT)]),
    ("embeddings_default", ["OpenAI", KEYED], ["embeddings.create", {
        "model": "text-embedding-3-small", "input": "hello"}], [ok(EMB_B64)]),
    ("embeddings_float", ["OpenAI", KEYED], ["embeddings.create", {
        "model": "text-embedding-3-small", "input": ["a", "b"], "encoding_format": "float", "dimensions": 3}],
     [ok(EMB_FLOAT)]),
    ("embeddings_base64", ["OpenAI", KEYED], ["embeddings.create", {
        "model": "text-embedding-3-small", "input": "hello", "encoding_format": "base64", "user": "u"}],
     [ok(EMB_B64)]),
    ("embeddings_default_floats_answered", ["OpenAI", KEYED], ["embeddings.create", {
        "model": "text-embedding-3-small", "input": "hello"}], [ok(EMB_FLOAT)]),
    ("models_list", ["OpenAI", KEYED], ["models.list", {}], [ok(MODELS)]),
    ("models_retrieve", ["OpenAI", KEYED], ["models.retrieve", {"model": "meta/llama-3"}], [ok(MODEL)]),
    ("raw_response", ["OpenAI", KEYED], ["chat.completions.with_raw_response.create", {
        "model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("default_headers_query", ["OpenAI", dict(KEYED, default_headers={"X-Team": "a"}, default_query={"dq": "v"})],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("default_query_get", ["OpenAI", dict(KEYED, default_query={"dq": "v", "b": False})],
     ["models.list", {}], [ok(MODELS)]),
    ("organization_project", ["OpenAI", dict(KEYED, organization="org-1", project="proj-1")],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("env_vars", ["OpenAI", {}], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)],
     {"OPENAI_API_KEY": "sk-env", "OPENAI_BASE_URL": "{base}/v1", "OPENAI_ORG_ID": "org-env",
      "OPENAI_PROJECT_ID": "proj-env"}),
    ("with_options", ["OpenAI", KEYED], ["$with_options", {"max_retries": 0, "default_headers": {"X-W": "1"}}],
     [ok(CHAT)]),
    ("azure_deployment", ["AzureOpenAI", dict(AZURE, azure_deployment="my-dep")],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("azure_model_as_deployment", ["AzureOpenAI", AZURE],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("azure_embeddings", ["AzureOpenAI", AZURE],
     ["embeddings.create", {"model": "emb-dep", "input": "hello"}], [ok(EMB_B64)]),
    ("azure_models_list", ["AzureOpenAI", dict(AZURE, azure_deployment="my-dep")], ["models.list", {}],
     [ok(MODELS)]),
    ("azure_stream", ["AzureOpenAI", AZURE], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "stream": True}], [sse_reply()]),
    ("azure_ad_token", ["AzureOpenAI", {"azure_ad_token": "tok-1", "api_version": "2024-10-21",
                                        "azure_endpoint": "{base}"}],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("azure_ad_token_provider_retried", ["AzureOpenAI", {"azure_ad_token_provider": {"$tokens": ["t1", "t2"]},
                                                         "api_version": "2024-10-21", "azure_endpoint": "{base}"}],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(429, **{"retry-after-ms": "10"}), ok(CHAT)]),
    ("azure_env", ["AzureOpenAI", {}], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [ok(CHAT)], {"AZURE_OPENAI_API_KEY": "az-env", "AZURE_OPENAI_ENDPOINT": "{base}",
                  "OPENAI_API_VERSION": "2025-01-01"}),
    ("azure_v1_base_url", ["AzureOpenAI", {"api_key": "az-key", "api_version": "preview",
                                           "base_url": "{base}/openai/v1/"}],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("openai_on_azure_v1", ["OpenAI", {"api_key": "az-key", "base_url": "{base}/openai/v1/"}],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}], [ok(CHAT)]),
    ("retry_429_retry_after_ms", ["OpenAI", KEYED],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(429, **{"retry-after-ms": "20"}), ok(CHAT)]),
    ("retry_409", ["OpenAI", KEYED], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(409, **{"retry-after": "0.01"}), ok(CHAT)]),
    ("retry_500_should_not", ["OpenAI", KEYED], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(500, **{"x-should-retry": "false"}), ok(CHAT)]),
    ("retry_400_should", ["OpenAI", KEYED], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(400, **{"x-should-retry": "true", "retry-after-ms": "5"}), ok(CHAT)]),
    ("retry_after_too_long", ["OpenAI", KEYED], ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(503, **{"retry-after": "121"}), ok(CHAT)]),
    ("retries_exhausted", ["OpenAI", dict(KEYED, max_retries=1)],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(502, **{"retry-after-ms": "5"}), err(502, **{"retry-after-ms": "5"}), ok(CHAT)]),
    ("error_404", ["OpenAI", KEYED], ["chat.completions.create", {"model": "nope", "messages": MESSAGES}],
     [err(404)]),
    ("error_401_top_level", ["OpenAI", KEYED], ["models.list", {}],
     [err(401, {"message": "No key", "code": 401})]),
    ("error_422_text", ["OpenAI", KEYED], ["models.list", {}], [err(422, "  not json  ")]),
    ("error_418_null_error", ["OpenAI", KEYED], ["models.list", {}], [err(418, {"error": None, "detail": "x"})]),
    ("error_403_string_error", ["OpenAI", KEYED], ["models.list", {}], [err(403, {"error": "forbidden"})]),
    ("models_delete", ["OpenAI", KEYED], ["models.delete", {"model": "ft:gpt-4o:org/x"}],
     [ok({"id": "ft:gpt-4o:org/x", "object": "model", "deleted": True})]),
    ("extra_headers_omit", ["OpenAI", dict(KEYED, default_headers={"X-Team": "a", "X-Drop": "b"})],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES,
                                  "extra_headers": {"X-Drop": {"$omit": True}, "x-team": "c"}}], [ok(CHAT)]),
    ("embeddings_extra_body", ["OpenAI", KEYED], ["embeddings.create", {
        "model": "text-embedding-3-small", "input": [1, 2, 3], "extra_body": {"input_type": "query"}}],
     [ok(EMB_B64)]),
    ("api_key_function", ["OpenAI", {"api_key": {"$tokens": ["k1", "k2"]}, "base_url": "{base}/v1"}],
     ["chat.completions.create", {"model": "gpt-4o", "messages": MESSAGES}],
     [err(500, **{"retry-after-ms": "5"}), ok(CHAT)]),
    ("azure_key_function_models", ["AzureOpenAI", {"api_key": "az-key", "api_version": "2024-10-21",
                                                   "azure_endpoint": "{base}/"}],
     ["models.retrieve", {"model": "gpt-4o"}], [ok(MODEL)]),
    ("error_500_html", ["OpenAI", dict(KEYED, max_retries=0)], ["models.list", {}],
     [[502, {"Content-Type": "text/html"}, "<html>Bad gateway</html>\n"]]),
    ("stream_error_event", ["OpenAI", KEYED], ["chat.completions.create", {
        "model": "gpt-4o", "messages": MESSAGES, "stream": True}],
     [[200, {"Content-Type": "text/event-stream"}, "data: " + json.dumps(CHUNKS[2]) + "\n\n" +
       "data: {\"error\": {\"message\": \"overloaded\", \"code\": \"busy\"}}\n\n"]]),
    # structured output: parse() and stream()
    ("parse_math", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}, "temperature": 0}],
     [ok(chat_with({"content": MATH_TEXT}))]),
    ("parse_tools", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "tools": [{"$function_tool": ["Query", {}]}, STRICT_DICT_TOOL]}],
     [ok(PARSE_TOOLS_REPLY)]),
    ("parse_tool_named", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"},
        "tools": [{"$function_tool": ["GetWeather", {"name": "get_weather", "description": "The weather"}]}]}],
     [ok(chat_with({"content": None, "tool_calls": [{"id": "call_w", "type": "function", "function": {
         "name": "get_weather", "arguments": WEATHER_ARGS[0]}}]}, finish="tool_calls"))]),
    ("parse_refusal", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": None, "refusal": "I can't help with that."}))]),
    ("parse_empty_content", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": ""}))]),
    ("parse_dict_format", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": DICT_FORMAT}],
     [ok(chat_with({"content": "{\"answer\": \"42\"}"}))]),
    ("parse_no_format", ["OpenAI", KEYED], ["chat.completions.parse", {"model": "gpt-4o", "messages": MESSAGES}],
     [ok(CHAT)]),
    ("parse_length", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": "{\"steps\": ["}, finish="length"))]),
    ("parse_content_filter", ["OpenAI", KEYED], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": None}, finish="content_filter"))]),
    ("parse_beta_raw", ["OpenAI", KEYED], ["beta.chat.completions.with_raw_response.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": MATH_TEXT}))]),
    ("parse_roundtrip", ["OpenAI", KEYED], ["$parse_roundtrip", {
        "model": "gpt-4o", "messages": MESSAGES, "tools": [{"$function_tool": ["Query", {}]}, STRICT_DICT_TOOL]}],
     [ok(PARSE_TOOLS_REPLY), ok(CHAT)]),
    ("parse_azure", ["AzureOpenAI", AZURE], ["chat.completions.parse", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [ok(chat_with({"content": MATH_TEXT}))]),
    ("stream_parse", ["OpenAI", KEYED], ["$stream", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"},
        "stream_options": {"include_usage": True}}], [sse_of(*STREAM_MATH)]),
    ("stream_tools", ["OpenAI", KEYED], ["$stream", {
        "model": "gpt-4o", "messages": MESSAGES, "parallel_tool_calls": True,
        "tools": [{"$function_tool": ["GetWeather", {"name": "get_weather"}]}]}], [sse_of(*STREAM_TOOLS)]),
    ("stream_refusal", ["OpenAI", KEYED], ["$stream", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [sse_of(*STREAM_REFUSAL)]),
    ("stream_logprobs", ["OpenAI", KEYED], ["$stream", {
        "model": "gpt-4o", "messages": MESSAGES, "logprobs": True}], [sse_of(*STREAM_LOGPROBS)]),
    ("stream_plain", ["OpenAI", KEYED], ["$stream", {"model": "gpt-4o", "messages": MESSAGES}],
     [sse_of(*CHUNKS[1:])]),
    ("stream_length", ["OpenAI", KEYED], ["$stream", {
        "model": "gpt-4o", "messages": MESSAGES, "response_format": {"$model": "MathResponse"}}],
     [sse_of(*STREAM_LENGTH)]),
]


class Server:
    def __init__(self):
        self.requests = []
        self.replies = queue.Queue()
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                srv.requests.append({"method": self.command, "target": self.path,
                                     "headers": [[k, v] for k, v in self.headers.items()],
                                     "body": body.decode("utf-8")})
                status, headers, text = srv.replies.get_nowait()
                payload = text.encode("utf-8")
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:{}".format(self.httpd.server_address[1])


def resolve(value, base):
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [resolve(v, base) for v in value]
    if isinstance(value, dict):
        if value.get("$not_given"):
            return openai.NOT_GIVEN
        if value.get("$omit"):
            return openai.omit
        if "$model" in value:
            return MODELS_BY_NAME[value["$model"]]
        if "$function_tool" in value:
            name, options = value["$function_tool"]
            return openai.pydantic_function_tool(MODELS_BY_NAME[name], **options)
        if "$tokens" in value:
            tokens = iter(value["$tokens"])
            return lambda: next(tokens)
        return {k: resolve(v, base) for k, v in value.items()}
    return value


def dump(obj):
    """What a call returned, as JSON."""
    if isinstance(obj, dict) and "$events" in obj:
        return {"events": obj["$events"], "final": dump(obj["$final"]) if "$final" in obj else None,
                "snapshot": obj.get("$snapshot"), "error": obj.get("$error")}
    if hasattr(obj, "parse") and hasattr(obj, "headers"):
        return {"raw": {"status_code": obj.status_code, "request_id": obj.headers.get("x-request-id"),
                        "content_type": obj.headers.get("content-type"), "parsed": dump(obj.parse())}}
    if isinstance(obj, (openai.Stream, openai.AsyncStream)):
        return {"chunks": [dump(c) for c in obj]}
    if hasattr(obj, "has_next_page") or type(obj).__name__.endswith("Page"):
        return {"page": [dump(m) for m in obj], "data": [m.to_dict() for m in obj.data]}
    result = {"type": type(obj).__name__, "to_dict": obj.to_dict(), "model_dump": obj.model_dump(),
            "model_dump_unset": obj.model_dump(exclude_unset=True), "model_dump_json": obj.model_dump_json(),
            "request_id": getattr(obj, "_request_id", None)}
    if type(obj).__name__.startswith("ParsedChatCompletion"):  # what parsed values are instances of
        result["parsed_types"] = [[type(c.message.parsed).__name__, [
            type(t.function.parsed_arguments).__name__ for t in c.message.tool_calls or ()]] for c in obj.choices]
    return result


def dump_event(event):
    """A stream event as it was when it came: its to_dict() (a chunk event: its chunk, and its snapshot then)."""
    if event.type == "chunk":
        return {"type": "chunk", "chunk": event.chunk.to_dict(), "snapshot": event.snapshot.to_dict()}
    parsed = getattr(event, "parsed", getattr(event, "parsed_arguments", None))
    return {"type": event.type, "to_dict": event.to_dict(), "parsed_type": type(parsed).__name__}


def error(e):
    return {"type": type(e).__name__, "mro": [c.__name__ for c in type(e).__mro__ if c.__module__.startswith("openai")],
            "message": getattr(e, "message", str(e)), "str": str(e), "status_code": getattr(e, "status_code", None),
            "body": getattr(e, "body", None), "code": getattr(e, "code", None),
            "request_id": getattr(e, "request_id", None)}


def run(client, path, kwargs):
    if path == "$roundtrip":
        first = client.chat.completions.create(**kwargs)
        message = first.choices[0].message
        messages = kwargs["messages"] + [message, {"role": "tool", "tool_call_id": message.tool_calls[0].id,
                                                   "content": "sunny"}]
        return client.chat.completions.create(**dict(kwargs, messages=messages))
    if path == "$parse_roundtrip":  # a parsed message (parsed, parsed_arguments) sent back in messages
        message = client.chat.completions.parse(**kwargs).choices[0].message
        messages = kwargs["messages"] + [message, {"role": "tool", "tool_call_id": message.tool_calls[0].id,
                                                   "content": "3 rows"}]
        return client.chat.completions.create(model=kwargs["model"], messages=messages)
    if path == "$stream":
        events = []
        with client.chat.completions.stream(**kwargs) as stream:
            try:
                for event in stream:
                    events.append(dump_event(event))
            except openai.OpenAIError as e:
                return {"$events": events, "$error": error(e)}
            final = stream.get_final_completion()
        return {"$events": events, "$final": final, "$snapshot": stream.current_completion_snapshot.to_dict()}
    if path == "$with_options":
        return client.with_options(**kwargs).chat.completions.create(model="gpt-4o", messages=MESSAGES)
    target = client
    for part in path.split("."):
        target = getattr(target, part)
    return target(**kwargs)


def main():
    import os
    scenarios = []
    for row in SCENARIOS:
        name, (cls, ckw), (path, kwargs), replies = row[:4]
        env = row[4] if len(row) > 4 else {}
        server = Server()
        for r in replies:
            server.replies.put(r)
        saved = dict(os.environ)
        for k in list(os.environ):
            if k.startswith(("OPENAI_", "AZURE_OPENAI")):
                del os.environ[k]
        os.environ.update(resolve(env, server.url))
        entry = {"name": name, "client": [cls, ckw], "call": [path, kwargs], "replies": replies, "env": env}
        try:
            client = getattr(openai, cls)(**resolve(ckw, server.url))
            try:
                entry["result"] = dump(run(client, path, resolve(kwargs, server.url)))
            except openai.OpenAIError as e:
                entry["error"] = error(e)
            client.close()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        base = server.url
        entry["requests"] = [dict(r, target=r["target"], headers=[[k, v.replace(base, "{base}")]
                                                                   for k, v in r["headers"]])
                             for r in server.requests]
        server.httpd.shutdown()
        scenarios.append(entry)
        print(name, len(server.requests), "error" if "error" in entry else "ok")
    with open(OUT, "w") as f:
        json.dump({"openai_version": openai.__version__, "python": sys.version.split()[0],
                   "volatile_headers": ["host", "user-agent", "accept-encoding", "connection", "content-length",
                                        "idempotency-key"], "volatile_prefixes": ["x-stainless-"],
                   "scenarios": scenarios}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

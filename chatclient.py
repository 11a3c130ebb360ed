#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the chatclient authors
# This file is chatclient (https://pypi.org/project/chatclient/), under the MIT licence: see LICENSE,
# or https://opensource.org/license/mit.  A copy of this one file carries the licence with it.
"""chatclient: a one-file, standard-library-only chat-completions client.

A drop-in for the documented surface of Azure's ``azure-ai-inference``
(``ChatCompletionsClient``, ``EmbeddingsClient``, ``ImageEmbeddingsClient``,
``load_client`` and their async twins) that also talks to any
OpenAI-compatible endpoint (Azure OpenAI, GitHub Models, OpenAI, vLLM,
llama.cpp, Ollama)::

    from chatclient import ChatCompletionsClient, AzureKeyCredential, UserMessage

    client = ChatCompletionsClient(endpoint, AzureKeyCredential(key))
    print(client.complete(messages=[UserMessage("Hello")]).choices[0].message.content)

The module reads top to bottom in sections: endpoint kinds, errors, enums,
models, auth, HTTP requests, server-sent events, HTTP/1.1 without I/O,
transport (a call as one generator of I/O steps; a blocking and an asyncio
shell that carry them out), keyless credentials, streaming, clients, async
clients, structured output, prompts, the openai face (``OpenAI``, ``AzureOpenAI``
and their async twins over the same core), command line.  It imports nothing outside the
standard library and does nothing at import time but define things.
"""

from __future__ import annotations

import codecs
import collections
import collections.abc
import functools
import io
import itertools
import json
import operator
import os
import re
import socket
import sys
import threading
import time
from enum import Enum, EnumMeta
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

# typing is only for type checkers: importing it would cost more than the rest of this module.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    import asyncio
    import datetime
    import logging
    import ssl
    from typing import (
        Any, AsyncGenerator, AsyncIterator, Callable, ClassVar, Deque, Dict, Generator, Iterable, Iterator, List,
        Mapping,
        MutableMapping,
        Optional, Sequence, Tuple, Type, TypeVar, Union,
    )

    T = TypeVar("T")
    M = TypeVar("M", bound="Model")
    JSON = Dict[str, Any]
    AuthHook = Callable[["HttpRequest"], None]
    Item = Union["StreamingChatCompletionsUpdate", BaseException]
    _TokenBase = Tuple[str, int]
    _EventBase = Tuple[str, str, str, Optional[int]]

    _HeadersBase = MutableMapping[str, str]
else:
    _TokenBase = tuple
    _EventBase = tuple
    _HeadersBase = collections.abc.MutableMapping
    Mapping = collections.abc.Mapping

__version__ = "0.1.0"

__all__ = [
    # errors
    "AzureError", "ServiceRequestError", "ServiceResponseError", "HttpResponseError",
    "DecodeError", "ClientAuthenticationError", "ResourceNotFoundError",
    "ResourceExistsError", "ResourceNotModifiedError", "TooManyRedirectsError", "CredentialUnavailableError",
    "ODataV4Format",
    # enums
    "ChatRole", "CompletionsFinishReason", "ChatCompletionsToolChoicePreset",
    "ImageDetailLevel", "ModelType", "AudioContentFormat", "EmbeddingEncodingFormat",
    "EmbeddingInputType", "ExtraParameters",
    # models
    "Model", "ChatRequestMessage", "SystemMessage", "UserMessage", "AssistantMessage",
    "ToolMessage", "DeveloperMessage", "ContentItem", "TextContentItem", "ImageContentItem",
    "ImageUrl", "AudioContentItem", "InputAudio", "ChatCompletionsToolDefinition",
    "FunctionDefinition", "ChatCompletionsToolCall", "FunctionCall",
    "ChatCompletionsNamedToolChoice", "ChatCompletionsNamedToolChoiceFunction",
    "JsonSchemaFormat", "ChatCompletions", "ChatChoice", "ChatResponseMessage",
    "CompletionsUsage", "StreamingChatCompletionsUpdate", "StreamingChatChoiceUpdate",
    "StreamingChatResponseMessageUpdate", "StreamingChatResponseToolCallUpdate",
    "ModelInfo", "EmbeddingsResult", "EmbeddingItem", "EmbeddingsUsage",
    "ImageEmbeddingInput",
    # auth
    "AzureKeyCredential", "AccessToken", "ApiKeyAuth", "BearerTokenAuth",
    # keyless credentials (azure.identity's names)
    "ManagedIdentityCredential", "WorkloadIdentityCredential", "ClientSecretCredential", "EnvironmentCredential",
    "AzureCliCredential", "DefaultAzureCredential",
    # HTTP, SSE, streams
    "HttpRequest", "HttpResponse", "SSEParser", "ServerSentEvent",
    "StreamingChatCompletions", "AsyncStreamingChatCompletions",
    # clients
    "ChatCompletionsClient", "EmbeddingsClient", "ImageEmbeddingsClient", "load_client",
    "AsyncChatCompletionsClient", "AsyncEmbeddingsClient", "AsyncImageEmbeddingsClient",
    "load_async_client",
    # prompts
    "PromptTemplate",
    # structured output
    "function_tool",
    # the openai face (openai's names; its types.Model is ModelObject here, as Model is this module's base)
    "OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "Stream", "AsyncStream",
    "NOT_GIVEN", "NotGiven", "not_given", "omit", "Omit", "Timeout", "get_bearer_token_provider",
    "OpenAIError", "APIError", "APIStatusError", "APIConnectionError", "APITimeoutError", "APIResponseValidationError",
    "BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError",
    "UnprocessableEntityError", "RateLimitError", "InternalServerError", "LengthFinishReasonError",
    "ContentFilterFinishReasonError",
    "ParsedChatCompletion", "ParsedChoice", "ParsedChatCompletionMessage", "ParsedFunctionToolCall", "ParsedFunction",
    "ChatCompletionStream", "AsyncChatCompletionStream", "ChatCompletionStreamManager",
    "AsyncChatCompletionStreamManager", "ChatCompletionStreamEvent",
    "BaseModel", "ChatCompletion", "ChatCompletionChunk", "ChatCompletionMessage", "ChatCompletionMessageToolCall",
    "ChatCompletionMessageFunctionToolCall", "ChatCompletionTokenLogprob", "ChoiceDelta", "ChoiceDeltaToolCall",
    "CompletionUsage", "CreateEmbeddingResponse", "Embedding", "ModelObject", "ModelDeleted", "SyncPage", "AsyncPage",
    "Response", "ParsedResponse", "ResponseStreamEvent", "ResponseUsage", "ResponseError", "ResponseOutputMessage",
    "ResponseOutputText", "ResponseOutputRefusal", "ResponseFunctionToolCall", "ResponseReasoningItem",
    "ResponseStream", "AsyncResponseStream", "ResponseStreamManager", "AsyncResponseStreamManager",
    "SyncCursorPage", "AsyncCursorPage",
]

DEFAULT_API_VERSION = "2024-05-01-preview"
DEFAULT_SCOPES = ("https://ml.azure.com/.default",)
_USER_AGENT = "chatclient/{} Python/{}.{}.{} ({})".format(__version__, *sys.version_info[:3], sys.platform)



# =============================================================================
# Endpoint kinds: what a client does by default, decided by its endpoint URL
# =============================================================================

_AZURE_HOSTS = r"[^/]+\.(?:openai\.azure\.com|services\.ai\.azure\.com|cognitiveservices\.azure\.com)"
_COGNITIVE_SCOPES = ("https://cognitiveservices.azure.com/.default",)
_API_KEY = (("api-key", "{}"),)
_BEARER = (("Authorization", "Bearer {}"),)
_KEY_HEADERS = ("api-key", "Authorization")  # a caller who sets one of these brings the key


class _EndpointKind(collections.namedtuple("_EndpointKind", "name host path api_version scopes key_headers "
                                            "extra_parameters info_route model_required")):
    """One row of the table below: how an endpoint is recognised and what the client sends to it
    unless told otherwise (``api_version=``, ``credential_scopes=``, ``headers=``).  Its fields:
    ``name``; ``host`` and ``path``, patterns for the whole host name in lower case and the whole path
    without its trailing slashes; ``api_version``, the api-version query sent by default (None:
    none); ``scopes``, the default token scope (None: the caller must name one); ``key_headers``,
    where an AzureKeyCredential's key goes, (name, value format); ``extra_parameters``, whether
    model_extras are announced with "extra-parameters: pass-through"; ``info_route``, whether GET
    /info describes the model (else the model list, GET /models); ``model_required``, whether a
    request without model is refused before sending.  (A named tuple: a frozen dataclass costs a
    millisecond of import.)"""

    __slots__ = ()


# First match wins.  The last row is the SDK's own endpoints, where its wire format is the contract.
_ENDPOINT_KINDS = (
    _EndpointKind("Azure OpenAI v1", _AZURE_HOSTS, r"/openai/v1", None, _COGNITIVE_SCOPES, _API_KEY,
                  extra_parameters=False, info_route=False, model_required=True),
    _EndpointKind("Azure OpenAI deployment", _AZURE_HOSTS, r"/openai/deployments/[^/]+", DEFAULT_API_VERSION,
                  _COGNITIVE_SCOPES, _API_KEY, extra_parameters=True, info_route=True, model_required=False),
    _EndpointKind("GitHub Models", r"models\.github\.ai", r"(?:/orgs/[^/]+)?/inference", None, None, _BEARER,
                  extra_parameters=False, info_route=False, model_required=False),
    _EndpointKind("OpenAI-compatible", r".*", r"(?:/.*)?/v1", None, None, _BEARER,
                  extra_parameters=False, info_route=False, model_required=False),
    _EndpointKind("Azure AI Inference", r".*", r".*", DEFAULT_API_VERSION, DEFAULT_SCOPES, _API_KEY + _BEARER,
                  extra_parameters=True, info_route=True, model_required=False),
)


# What people paste besides a base URL, each taken to mean the base it names (tried on a URL of the
# last, catch-all kind): the full URL of one operation, whose path is taken off when the base left
# serves that operation; an Azure resource without a path, which means its OpenAI v1 API.  The
# ``api-version`` of any endpoint's query (a portal's "Target URI") becomes the client's default.
_OPERATION_PATHS = ("/chat/completions", "/images/embeddings", "/embeddings", "/info", "/models")
_RESOURCE_ROOTS = ((_AZURE_HOSTS, "/openai/v1"),)  # (host pattern, the path a bare resource URL means)


class _Endpoint(collections.namedtuple("_Endpoint", "url kind api_version")):
    """What an endpoint URL means: its base ``url`` (its query kept, but for api-version), its
    ``kind`` (an _EndpointKind), and the ``api_version`` its query named (None: none)."""

    __slots__ = ()


def _kind_of(host: str, path: str) -> _EndpointKind:
    for kind in _ENDPOINT_KINDS:
        if re.fullmatch(kind.host, host) and re.fullmatch(kind.path, path, re.IGNORECASE):
            return kind
    raise AssertionError("unreachable: the last row matches every URL")  # pragma: no cover


def _serves(kind: _EndpointKind, operation: str) -> bool:
    """Whether endpoints of ``kind`` have ``operation`` (the model is described by /info or by /models)."""
    return operation != ("/models" if kind.info_route else "/info")


def _endpoint(endpoint: str) -> _Endpoint:
    """What the URL ``endpoint`` means, as pasted: a pure function of the URL, where host names compare
    without case and a port or a query does not change the kind."""
    parts = urlsplit(endpoint)
    host, path = (parts.hostname or "").lower(), parts.path.rstrip("/")
    kind = _kind_of(host, path)
    if kind is _ENDPOINT_KINDS[-1]:
        for operation in _OPERATION_PATHS:
            rest = path[:len(path) - len(operation)].rstrip("/")
            if path.lower().endswith(operation) and _serves(_kind_of(host, rest), operation):
                path = rest
                break
        path = path or next((root for pattern, root in _RESOURCE_ROOTS if re.fullmatch(pattern, host)), path)
        kind = _kind_of(host, path)
    pairs = [pair for pair in parts.query.split("&") if pair]
    named = [unquote(pair.partition("=")[2]) for pair in pairs if pair.partition("=")[0] == "api-version"]
    query = "&".join(pair for pair in pairs if pair.partition("=")[0] != "api-version")
    base = parts.scheme + "://" + parts.netloc + path
    return _Endpoint(base + ("?" + query if query else ""), kind, named[-1] if named else None)


def _endpoint_kind(endpoint: str) -> _EndpointKind:
    """The row of ``_ENDPOINT_KINDS`` that ``endpoint`` (a URL, as pasted) belongs to."""
    kind: _EndpointKind = _endpoint(endpoint).kind
    return kind


# =============================================================================
# Errors: the names and hierarchy of azure.core.exceptions
# =============================================================================

class AzureError(Exception):
    """Base of every error this module raises on purpose (except bad arguments)."""

    def __init__(self, message: Optional[str] = None, *args: Any, **kwargs: Any) -> None:
        self.message = str(message) if message is not None else type(self).__name__
        self.inner_exception: Optional[BaseException] = kwargs.get("error")
        super().__init__(self.message, *args)

    def __str__(self) -> str:
        return self.message


class ServiceRequestError(AzureError):
    """Nothing was received: DNS, connection refused, TLS, connect timeout."""


class ServiceResponseError(AzureError):
    """The response broke: reset, read timeout, truncation, a size cap exceeded."""


class ODataV4Format:
    """The ``{"error": {"code": ..., "message": ...}}`` part of an error body."""

    def __init__(self, json_object: Mapping[str, Any]) -> None:
        code, message = json_object.get("code"), json_object.get("message")
        self.code: Optional[str] = None if code is None else str(code)
        self.message: Optional[str] = None if message is None else str(message)
        self.target: Optional[str] = json_object.get("target")
        details = json_object.get("details")
        self.details: List[Any] = details if isinstance(details, list) else []
        self.raw: Mapping[str, Any] = json_object

    def __str__(self) -> str:
        return "({}) {}\nCode: {}\nMessage: {}".format(self.code, self.message, self.code, self.message)

    def __repr__(self) -> str:
        return "ODataV4Format(code={!r}, message={!r})".format(self.code, self.message)


def _error_object(body: Any) -> Optional[Mapping[str, Any]]:
    """The part of a decoded error body that holds ``code`` and ``message``, if any."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return inner
        if "code" in body or "message" in body:
            return body
    return None


# What to change, when an error answer says so: (the kind of the endpoint asked, "" for any; the
# status; what the request sent, "" for anything: a query or header name, or "key" for a key header;
# a pattern the error's text matches; the hint, where {keys} names the key headers sent).  The first
# row that fits gives the hint; at most one.
_HINTS = (
    ("Azure AI Inference", 404, "", "",
     "an OpenAI-compatible server's base URL ends in /v1 (http://localhost:8000/v1, say)"),
    ("Azure OpenAI v1", 400, "api-version", "API version not supported",
     "the v1 API takes no api-version: drop api_version= (--api-version)"),
    ("", 401, "key", "", "the key went in the {keys} header: is it a key of this endpoint?"),
    ("", 401, "", "", "no key was sent: pass one (AzureKeyCredential(key), --key)"),
)


def _body_read(response: Any) -> bytes:
    """The part of a response's body already read (errors are built from it: no I/O)."""
    content = getattr(response, "_content", None)
    return content if isinstance(content, bytes) else b""


def _hint(response: Any, error: Optional[ODataV4Format]) -> Optional[str]:
    """The hint of ``_HINTS`` for an error answer, from its status and text and from its request:
    the endpoint's kind (the request's URL is the endpoint's plus an operation's path, which the
    kind function takes off as it does from a pasted URL), its query keys and header names."""
    request: Any = getattr(response, "request", None)
    if not isinstance(getattr(request, "url", None), str) or not hasattr(request, "headers"):
        return None
    try:
        kind = _endpoint_kind(request.url).name
    except ValueError:
        return None
    headers = {str(name).lower() for name in request.headers}
    keys = [name for name in _KEY_HEADERS if name.lower() in headers]
    sent = headers | {pair.partition("=")[0] for pair in urlsplit(request.url).query.split("&")} | (
        {"key"} if keys else set())
    text = " ".join(filter(None, (error.code, error.message))) if error is not None else \
        _body_read(response)[:1000].decode("utf-8", "replace")
    for row_kind, status, needs, pattern, hint in _HINTS:
        if row_kind in ("", kind) and status == getattr(response, "status_code", None) and \
                (not needs or needs in sent) and re.search(pattern, text, re.IGNORECASE):
            return hint.format(keys=" and ".join(keys))
    return None


class HttpResponseError(AzureError):
    """The service answered with an error status (or an in-band error event).

    ``status_code``, ``reason`` and ``response`` describe the answer; ``error``
    holds ``code`` and ``message`` when the body was an error object; ``hint``
    says what to change where that is known (else None), and ``str()`` ends with it.
    """

    def __init__(self, message: Optional[str] = None, response: Optional[_ResponseBase] = None,
                 **kwargs: Any) -> None:
        self.response = response
        self.status_code: Optional[int] = getattr(response, "status_code", None)
        self.reason: Optional[str] = getattr(response, "reason", None)
        self.error: Optional[ODataV4Format] = kwargs.pop("error_model", None)
        if self.error is None and response is not None:
            self.error = _parse_error(response)
        if message is None:
            message = _describe_error(response, self.error)
        self.hint: Optional[str] = kwargs.pop("hint", None) or _hint(response, self.error)
        super().__init__(message, **kwargs)

    def __str__(self) -> str:
        return self.message + ("\nHint: " + self.hint if self.hint else "")


class DecodeError(HttpResponseError):
    """A successful answer whose body is not the JSON object that was expected."""


class ClientAuthenticationError(HttpResponseError):
    """401: the key or token was refused (or a credential could not get a token)."""


class CredentialUnavailableError(ClientAuthenticationError):
    """A credential that cannot work here: it is not configured, or its service is absent."""


class ResourceNotFoundError(HttpResponseError):
    """404: no such route or deployment."""


class ResourceExistsError(HttpResponseError):
    """409."""


class ResourceNotModifiedError(HttpResponseError):
    """304."""


class TooManyRedirectsError(HttpResponseError):
    """More redirects than the client follows."""


_ERROR_BY_STATUS: Dict[int, Type[HttpResponseError]] = {
    401: ClientAuthenticationError, 404: ResourceNotFoundError,
    409: ResourceExistsError, 304: ResourceNotModifiedError,
}


def _parse_error(response: Any) -> Optional[ODataV4Format]:
    try:
        body = json.loads(_body_read(response))
    except (ValueError, RecursionError):
        return None
    inner = _error_object(body)
    return ODataV4Format(inner) if inner is not None else None


def _describe_error(response: Optional[_ResponseBase], error: Optional[ODataV4Format]) -> str:
    status = "{} {}".format(getattr(response, "status_code", ""), getattr(response, "reason", "") or "").strip()
    if error is not None:
        return "({}) {}\nCode: {}\nMessage: {}\nStatus: {}".format(
            error.code, error.message, error.code, error.message, status)
    text = _body_read(response)[:1000].decode("utf-8", "replace")
    message = "Operation returned an invalid status '{}'".format(status)
    return message + ("\nContent: " + text if text.strip() else "")


def _status_error(response: Any) -> HttpResponseError:
    """The error for an error status, from what was read of the body."""
    return _ERROR_BY_STATUS.get(response.status_code, HttpResponseError)(response=response)


# =============================================================================
# Enums: str enums, looked up by name in any case, as the SDK's are
# =============================================================================

class _CaseInsensitiveEnumMeta(EnumMeta):
    def __getitem__(cls, name: str) -> Any:
        return super().__getitem__(name.upper())


class ChatRole(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"
    DEVELOPER = "developer"


class CompletionsFinishReason(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    STOPPED = "stop"
    TOKEN_LIMIT_REACHED = "length"
    CONTENT_FILTERED = "content_filter"
    TOOL_CALLS = "tool_calls"


class ChatCompletionsToolChoicePreset(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    AUTO = "auto"
    NONE = "none"
    REQUIRED = "required"


class ImageDetailLevel(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    AUTO = "auto"
    LOW = "low"
    HIGH = "high"


class ModelType(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    EMBEDDINGS = "embeddings"
    IMAGE_GENERATION = "image_generation"
    TEXT_GENERATION = "text_generation"
    IMAGE_EMBEDDINGS = "image_embeddings"
    AUDIO_GENERATION = "audio_generation"
    CHAT_COMPLETION = "chat_completion"


class AudioContentFormat(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    WAV = "wav"
    MP3 = "mp3"


class EmbeddingEncodingFormat(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    BASE64 = "base64"
    BINARY = "binary"
    FLOAT = "float"
    INT8 = "int8"
    UBINARY = "ubinary"
    UINT8 = "uint8"


class EmbeddingInputType(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    TEXT = "text"
    QUERY = "query"
    DOCUMENT = "document"


class ExtraParameters(str, Enum, metaclass=_CaseInsensitiveEnumMeta):
    ERROR = "error"
    DROP = "drop"
    PASS_THROUGH = "pass-through"


# =============================================================================
# Models: dataclasses whose fields are the JSON keys, parsed by one mechanism
# =============================================================================

_UNSET: Any = object()


@functools.lru_cache(maxsize=64)  # a stream's chunks all carry the same "created"
def _from_timestamp(value: float) -> Any:
    try:
        import datetime  # only when a response's time is read: not imported with the module
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return value


def _unix_to_datetime(value: Any) -> Any:
    """Seconds since the epoch as an aware datetime; anything else is kept as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_timestamp(value)
    return value


def _datetime_class() -> Any:
    """datetime.datetime where the datetime module is imported (the caller's doing: no value can be a
    datetime before it is), else a class no value is an instance of."""
    module = sys.modules.get("datetime")
    return module.datetime if module is not None else _Nothing


class _Nothing:
    """No value is an instance of it."""


def _to_json(value: Any) -> Any:
    """``value`` as plain JSON types (models as their documents, enums as strings), copied."""
    if isinstance(value, Model):
        value = value._data
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _datetime_class()):
        return int(value.timestamp())
    return value


def _json_default(value: Any) -> Any:
    """``json.dumps`` hook: models, datetimes and bytes, one level at a time."""
    if isinstance(value, Model):
        return value._data
    if isinstance(value, _datetime_class()):
        return int(value.timestamp())
    if isinstance(value, (bytes, bytearray)):
        import base64
        return base64.b64encode(value).decode("ascii")
    raise TypeError("Object of type {} is not JSON serializable".format(type(value).__name__))


class _DataclassFields:
    """``__dataclass_fields__`` of a model class, made on first use, so that the dataclasses module's
    functions (``is_dataclass``, ``fields``, ``asdict``) see the field table as they see a
    dataclass's, without importing dataclasses with this module."""

    def __get__(self, model: Any, cls: Any) -> Dict[str, Any]:
        import dataclasses  # only when asked for: not imported with the module
        fields = {}
        annotations: Dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            annotations.update(klass.__dict__.get("__annotations__", {}))
        for name in cls._names:
            field: Any = dataclasses.field(default=cls._defaults.get(name))
            field.name, field.type = name, annotations.get(name, "Any")
            field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # what dataclass() marks it with
            fields[name] = field
        type.__setattr__(cls, "__dataclass_fields__", fields)  # made once per class
        return fields


class Model:
    """Base of every model.  A model is its JSON document (``_data``): a parsed one keeps
    every key the server sent, nulls included, in the server's order; a built one holds
    what the caller gave (None = not sent).  ``as_dict()``, ``str()``, iteration and
    ``model["key"]`` see that document; attributes read its fields typed (see ``_typed``).

    Built with keywords (the fields, in wire order), or from one positional mapping of
    raw JSON, keeping keys it does not name.
    """

    _positional: ClassVar[Tuple[str, ...]] = ()  # fields that may be given positionally
    _names: ClassVar[Tuple[str, ...]] = ()  # the fields, in wire order (set by _model)
    _defaults: ClassVar[Dict[str, Any]] = {}  # the fields that have a default, and it
    _FLOATS: ClassVar[Tuple[str, ...]] = ()  # float fields: whole numbers read as float
    __dataclass_fields__: ClassVar[Dict[str, Any]] = _DataclassFields()  # type: ignore[assignment]
    _data: Dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        if len(args) == 1 and not kwargs and isinstance(args[0], Mapping):
            data = self.__dict__["_data"] = dict(self._defaults)
            data.update(_to_json(dict(args[0])))  # as the SDK: defaults first, then the mapping's keys
            return
        if len(args) > len(self._positional):
            raise TypeError("{}() takes {} positional argument(s) but {} were given".format(
                cls.__name__, len(self._positional), len(args)))
        for name, value in zip(self._positional, args):
            if kwargs.get(name) is not None:
                raise ValueError("{} cannot be provided as positional and keyword arguments".format(name))
            kwargs[name] = value
        data = self.__dict__["_data"] = {}
        for name in self._names:
            value = kwargs.pop(name, self._defaults.get(name))
            if value is not None:
                data[name] = value
        if kwargs:
            raise TypeError("{}() got an unexpected keyword argument {!r}".format(cls.__name__, next(iter(kwargs))))
        self._check()

    def _check(self) -> None:
        """Validate argument types; overridden where the SDK's types matter."""

    @classmethod
    def _from_json(cls: Type[M], data: Dict[str, Any]) -> M:
        """The model whose document is ``data`` (a decoded JSON object, not copied)."""
        model = cls.__new__(cls)
        model.__dict__["_data"] = data
        return model

    def as_dict(self) -> Dict[str, Any]:
        """The model's document as plain JSON types (a copy)."""
        result: Dict[str, Any] = _to_json(self._data)
        return result

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__.pop(key, None)  # the field read from the old value
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        self.__dict__.pop(key, None)
        del self._data[key]

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._names:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)
        if value is None:
            self._data.pop(name, None)  # None: not sent
        else:
            self._data[name] = value

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def keys(self) -> Iterable[str]:
        return self._data.keys()

    def values(self) -> Iterable[Any]:
        return self._data.values()

    def items(self) -> Iterable[Tuple[str, Any]]:
        return self._data.items()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Model):
            return type(other) is type(self) and self.as_dict() == other.as_dict()
        if isinstance(other, Mapping):
            return bool(self.as_dict() == _to_json(dict(other)))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "{}({!r})".format(type(self).__name__, self.as_dict())

    def __str__(self) -> str:
        return json.dumps(self.as_dict(), indent=2)


class _Field:
    """A model's field as an attribute: read from the document on first use, converted, and
    kept on the instance, so later reads are plain attribute reads (Model.__setattr__ writes
    the document and forgets the kept value)."""

    __slots__ = ("name", "convert")

    def __init__(self, name: str, convert: Optional[Callable[[Any], Any]]) -> None:
        self.name, self.convert = name, convert

    def __get__(self, model: Any, cls: Any = None) -> Any:
        if model is None:
            return self
        value = model._data.get(self.name)
        if value is not None and self.convert is not None:
            value = self.convert(value)
        model.__dict__[self.name] = value
        return value


class _Typed:
    """A field's default, and the kind its JSON value reads as (see ``_typed``)."""

    __slots__ = ("kind", "default")

    def __init__(self, kind: Any, default: Any) -> None:
        self.kind, self.default = kind, default


def _typed(kind: Any, default: Any = None) -> Any:
    """A field whose JSON value reads as ``kind``: a model class, ``[ModelClass]`` (a list of
    them), an enum class (unknown values stay strings) or ``"datetime"`` (seconds since the
    epoch, as an aware datetime).  A value of an unexpected shape reads as it is: a server's odd
    answer is data."""
    return _Typed(kind, default)


def _as_float(value: Any) -> Any:
    """A float field's value: whole numbers as float (lists of them too)."""
    if type(value) is int:
        return float(value)
    if type(value) is list:
        return [float(v) if type(v) is int else v for v in value]
    return value


def _converter(kind: Any) -> Optional[Callable[[Any], Any]]:
    if kind is None:
        return None
    if kind == "datetime":
        return _unix_to_datetime
    if isinstance(kind, list):
        parse = kind[0]._from_json
        return lambda v: [parse(x) if type(x) is dict else x for x in v] if type(v) is list else v
    if issubclass(kind, Enum):
        members = {m.value: m for m in kind}
        return lambda v: members.get(v, v) if isinstance(v, str) else v
    parse = kind._from_json
    return lambda v: parse(v) if type(v) is dict else v


def _wrapper(cls: Type[M]) -> Callable[[Dict[str, Any]], M]:
    """``cls._from_json`` for a model class: a plain function, as parsing streams calls it for every
    update, choice and delta (-5% CPU a chunk against the classmethod)."""
    new = object.__new__

    def from_json(data: Dict[str, Any]) -> M:
        model: M = new(cls)
        model.__dict__["_data"] = data
        return model
    return from_json


def _model(cls: Type[M]) -> Type[M]:
    """Makes a model class's field table (its annotated fields, a model base's first, in wire
    order, each with its default) into attributes read through a ``_Field``; whole numbers in the
    ``_FLOATS`` fields read as float.  The table is written as a dataclass's is, but not made by
    dataclasses.dataclass: importing dataclasses (and inspect with it) was a fifth of this
    module's import."""
    made: Any = cls
    names, defaults = list(made._names), dict(made._defaults)
    for name in cls.__dict__.get("__annotations__", {}):
        if name.startswith("_"):
            continue
        value = cls.__dict__.get(name)
        kind, default = (value.kind, value.default) if isinstance(value, _Typed) else (None, value)
        setattr(made, name, _Field(name, _as_float if name in made._FLOATS else _converter(kind)))
        names += [name] if name not in names else []
        defaults.pop(name, None)
        if default is not None:
            defaults[name] = default
    made._names, made._defaults = tuple(names), defaults
    made._from_json = staticmethod(_wrapper(cls))
    return cls


def _check_type(model: Model, field_name: str, kinds: Tuple[type, ...], what: str) -> None:
    value = getattr(model, field_name, None)
    if value is not None and not isinstance(value, kinds):
        raise TypeError("{}.{} must be {}, not {}".format(
            type(model).__name__, field_name, what, type(value).__name__))


def _data_url(path: str, mime: str) -> str:
    import base64
    with open(path, "rb") as f:
        return "data:{};base64,{}".format(mime, base64.b64encode(f.read()).decode("ascii"))


# ---- request messages and their content -------------------------------------

class ChatRequestMessage(Model):
    """Base of the request messages: content positionally (``UserMessage("hi")``)."""

    _positional = ("content",)
    _content_kinds: ClassVar[Tuple[type, ...]] = (str,)

    def _check(self) -> None:
        what = "a str or a list of content items" if list in self._content_kinds else "a str"
        _check_type(self, "content", self._content_kinds, what)
        _check_type(self, "tool_calls", (list,), "a list")


@_model
class SystemMessage(ChatRequestMessage):
    """Instructions that steer the model; content is a str."""

    role: Union[str, ChatRole] = ChatRole.SYSTEM
    content: Optional[str] = None


@_model
class DeveloperMessage(ChatRequestMessage):
    """Instructions for models that take developer messages instead of system ones."""

    role: Union[str, ChatRole] = ChatRole.DEVELOPER
    content: Optional[str] = None


@_model
class UserMessage(ChatRequestMessage):
    """The user's turn: a str, or a list of content items (text, images, audio)."""

    role: Union[str, ChatRole] = ChatRole.USER
    content: Union[str, List[ContentItem], None] = None
    _content_kinds = (str, list)


@_model
class AssistantMessage(ChatRequestMessage):
    """An earlier answer of the model, or the tool calls it asked for."""

    role: Union[str, ChatRole] = ChatRole.ASSISTANT
    content: Optional[str] = None
    tool_calls: Optional[List[ChatCompletionsToolCall]] = None


@_model
class ToolMessage(ChatRequestMessage):
    """The result of a tool call, answering ``tool_call_id``."""

    role: Union[str, ChatRole] = ChatRole.TOOL
    tool_call_id: Optional[str] = None
    content: Optional[str] = None


class ContentItem(Model):
    """Base of the parts of a multimodal user message; ``type`` says which one."""


@_model
class TextContentItem(ContentItem):
    """Text, as part of a multimodal user message."""

    type: str = "text"
    text: Optional[str] = None


@_model
class ImageUrl(Model):
    """An image by URL (or a base64 ``data:`` URL), with the detail to look at it in."""

    url: Optional[str] = None
    detail: Union[str, ImageDetailLevel, None] = None

    @classmethod
    def load(cls, *, image_file: str, image_format: str,
             detail: Union[str, ImageDetailLevel, None] = None) -> ImageUrl:
        """An ImageUrl holding a local image file as a base64 ``data:`` URL."""
        return cls(url=_data_url(image_file, "image/" + image_format), detail=detail)


@_model
class ImageContentItem(ContentItem):
    """An image, as part of a multimodal user message."""

    type: str = "image_url"
    image_url: Optional[ImageUrl] = _typed(ImageUrl)


@_model
class InputAudio(Model):
    """Audio as base64 data and its format."""

    data: Optional[str] = None
    format: Union[str, AudioContentFormat, None] = None

    @classmethod
    def load(cls, *, audio_file: str, audio_format: Union[str, AudioContentFormat]) -> InputAudio:
        """An InputAudio holding a local audio file as base64 data."""
        import base64
        with open(audio_file, "rb") as f:
            return cls(data=base64.b64encode(f.read()).decode("ascii"), format=audio_format)


@_model
class AudioContentItem(ContentItem):
    """Audio, as part of a multimodal user message."""

    type: str = "input_audio"
    input_audio: Optional[InputAudio] = _typed(InputAudio)


# ---- tools and response formats ---------------------------------------------

@_model
class FunctionDefinition(Model):
    """A function the model may call: name, description, JSON-schema parameters."""

    name: Optional[str] = None
    description: Optional[str] = None
    parameters: Any = None


@_model
class ChatCompletionsToolDefinition(Model):
    """A tool offered to the model (a function)."""

    function: Optional[FunctionDefinition] = _typed(FunctionDefinition)
    type: str = "function"


@_model
class FunctionCall(Model):
    """The function a tool call names, with its arguments as a JSON string."""

    name: Optional[str] = None
    arguments: Optional[str] = None


@_model
class ChatCompletionsToolCall(Model):
    """A tool call the model asked for."""

    id: Optional[str] = None
    function: Optional[FunctionCall] = _typed(FunctionCall)
    type: str = "function"


@_model
class ChatCompletionsNamedToolChoiceFunction(Model):
    """The function that a named tool choice forces."""

    name: Optional[str] = None


@_model
class ChatCompletionsNamedToolChoice(Model):
    """``tool_choice`` that forces one function."""

    function: Optional[ChatCompletionsNamedToolChoiceFunction] = _typed(ChatCompletionsNamedToolChoiceFunction)
    type: str = "function"


@_model
class JsonSchemaFormat(Model):
    """``response_format`` that asks for JSON following ``schema``."""

    name: Optional[str] = None
    schema: Optional[Dict[str, Any]] = None
    description: Optional[str] = None
    strict: Optional[bool] = None


# ---- responses ---------------------------------------------------------------

@_model
class CompletionsUsage(Model):
    """Token counts of a request."""

    completion_tokens: Optional[int] = None
    prompt_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


@_model
class ChatResponseMessage(Model):
    """The message of a choice in a ChatCompletions."""

    role: Union[str, ChatRole, None] = _typed(ChatRole)
    content: Optional[str] = None
    tool_calls: Optional[List[ChatCompletionsToolCall]] = _typed([ChatCompletionsToolCall])


@_model
class ChatChoice(Model):
    """One answer of a ChatCompletions and why it ended."""

    index: Optional[int] = None
    finish_reason: Union[str, CompletionsFinishReason, None] = _typed(CompletionsFinishReason)
    message: Optional[ChatResponseMessage] = _typed(ChatResponseMessage)


@_model
class ChatCompletions(Model):
    """The response to a chat-completions request."""

    id: Optional[str] = None
    created: Optional[datetime.datetime] = _typed("datetime")
    model: Optional[str] = None
    choices: Optional[List[ChatChoice]] = _typed([ChatChoice])
    usage: Optional[CompletionsUsage] = _typed(CompletionsUsage)


@_model
class StreamingChatResponseToolCallUpdate(Model):
    """A fragment of a tool call in a stream; ``index`` says which call."""

    id: Optional[str] = None
    function: Optional[FunctionCall] = _typed(FunctionCall)
    index: Optional[int] = None  # not in the SDK, but every OpenAI-style delta carries it


@_model
class StreamingChatResponseMessageUpdate(Model):
    """The part of a message one stream update carries."""

    role: Union[str, ChatRole, None] = _typed(ChatRole)
    content: Optional[str] = None
    tool_calls: Optional[List[StreamingChatResponseToolCallUpdate]] = _typed([StreamingChatResponseToolCallUpdate])


@_model
class StreamingChatChoiceUpdate(Model):
    """One choice's part of a stream update."""

    index: Optional[int] = None
    finish_reason: Union[str, CompletionsFinishReason, None] = _typed(CompletionsFinishReason)
    delta: Optional[StreamingChatResponseMessageUpdate] = _typed(StreamingChatResponseMessageUpdate)


@_model
class StreamingChatCompletionsUpdate(Model):
    """One update of a streamed chat completion."""

    id: Optional[str] = None
    created: Optional[datetime.datetime] = _typed("datetime")
    model: Optional[str] = None
    choices: Optional[List[StreamingChatChoiceUpdate]] = _typed([StreamingChatChoiceUpdate])
    usage: Optional[CompletionsUsage] = _typed(CompletionsUsage)


@_model
class ModelInfo(Model):
    """What ``GET /info`` says of the model behind an endpoint."""

    model_name: Optional[str] = None
    model_type: Union[str, ModelType, None] = _typed(ModelType)
    model_provider_name: Optional[str] = None


@_model
class EmbeddingItem(Model):
    """One embedding vector (or its base64 string) and the input it belongs to."""

    embedding: Union[str, List[float], None] = None
    index: Optional[int] = None


@_model
class EmbeddingsUsage(Model):
    """Token counts of an embeddings request."""

    prompt_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


@_model
class EmbeddingsResult(Model):
    """The response to an embeddings request."""

    id: Optional[str] = None
    data: Optional[List[EmbeddingItem]] = _typed([EmbeddingItem])
    usage: Optional[EmbeddingsUsage] = _typed(EmbeddingsUsage)
    model: Optional[str] = None


@_model
class ImageEmbeddingInput(Model):
    """An image (a ``data:`` URL) and optional text to embed."""

    image: Optional[str] = None
    text: Optional[str] = None

    @classmethod
    def load(cls, *, image_file: str, image_format: str, text: Optional[str] = None) -> ImageEmbeddingInput:
        """An ImageEmbeddingInput holding a local image file as a base64 ``data:`` URL."""
        return cls(image=_data_url(image_file, "image/" + image_format), text=text)


# =============================================================================
# Auth: credentials, and hooks that set headers on each outgoing request
# =============================================================================

_BAD_HEADER_CHARS = r"[\r\n\x00]|[^\x00-\xff]"  # what no header value may hold (re caches it)


def _check_secret(value: Any, what: str, empty: bool = False) -> str:
    """``value`` if it can travel in a header (or is empty, where allowed); never echo it in the error."""
    if not isinstance(value, str):
        raise TypeError("{} must be a str, not {}".format(what, type(value).__name__))
    if not value and not empty:
        raise ValueError("{} is empty".format(what))
    if re.search(_BAD_HEADER_CHARS, value):
        raise ValueError("{} contains a line break, a NUL or a character outside latin-1; "
                         "it cannot be sent in an HTTP header (its value is not shown)".format(what))
    return value


class AzureKeyCredential:
    """An API key, sent in the header(s) the endpoint's kind reads (on the SDK's own
    endpoints both ``Authorization: Bearer <key>`` and ``api-key: <key>``).

    An empty key is allowed, as the SDK allows it, for use beside a key header that
    the caller sets in ``headers=``.
    """

    def __init__(self, key: str) -> None:
        self._key = _check_secret(key, "the key", empty=True)

    @property
    def key(self) -> str:
        return self._key

    def update(self, key: str) -> None:
        """Use ``key`` from the next request on (both headers)."""
        self._key = _check_secret(key, "the key")

    def __repr__(self) -> str:
        return "AzureKeyCredential(key=<redacted>)"


class _KeyAuth:
    """Auth hook for an AzureKeyCredential: its current key in each of ``headers``
    (name, value format).  An empty key adds nothing beside a key header the caller set."""

    def __init__(self, credential: AzureKeyCredential, headers: Tuple[Tuple[str, str], ...]) -> None:
        self._credential, self._headers = credential, headers

    def __call__(self, request: HttpRequest) -> None:
        key = self._credential.key
        if key:
            for name, form in self._headers:
                request.headers[name] = form.format(key)
        elif not any(name in request.headers for name in _KEY_HEADERS):
            raise ValueError("the key is empty: pass the key, or set its header yourself "
                             "(AzureKeyCredential(\"\") with headers={\"api-key\": key})")

    def __repr__(self) -> str:
        return "_KeyAuth(headers={!r}, key=<redacted>)".format([name for name, _ in self._headers])


class AccessToken(_TokenBase):
    """``(token, expires_on)``, as ``azure.core.credentials.AccessToken``."""

    def __new__(cls, token: str, expires_on: int) -> AccessToken:
        return tuple.__new__(cls, (token, expires_on))

    @property
    def token(self) -> str:
        return self[0]

    @property
    def expires_on(self) -> int:
        return self[1]

    def __repr__(self) -> str:
        return "AccessToken(token=<redacted>, expires_on={})".format(self[1])


class ApiKeyAuth:
    """Auth hook: sends ``key`` in one header (``api-key`` unless told otherwise)."""

    def __init__(self, key: str, header: str = "api-key", prefix: Optional[str] = None) -> None:
        value = key if prefix is None else "{} {}".format(prefix, key)
        self._header, self._value = header, _check_secret(value, "the key")

    def __call__(self, request: HttpRequest) -> None:
        request.headers[self._header] = self._value

    def __repr__(self) -> str:
        return "ApiKeyAuth(header={!r}, key=<redacted>)".format(self._header)


class BearerTokenAuth:
    """Auth hook: ``Authorization: Bearer <token>`` from a fixed token or a
    ``get_token`` credential, cached and renewed five minutes before it expires.

    Tokens from a credential are never sent over plain http.
    """

    _REFRESH_BEFORE = 300

    def __init__(self, token_or_credential: Any, *scopes: str) -> None:
        self._credential: Any = None
        self._token: Optional[AccessToken] = None
        if isinstance(token_or_credential, str):
            self._token = AccessToken(_check_secret(token_or_credential, "the token"), 2 ** 62)
        elif callable(getattr(token_or_credential, "get_token", None)):
            self._credential = token_or_credential
        else:
            raise TypeError("BearerTokenAuth takes a token string or a credential with get_token()")
        self._scopes = scopes or DEFAULT_SCOPES
        self._fetched = 0.0  # when the token was fetched
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> None:
        if self._credential is not None and not request.url.lower().startswith("https:"):
            raise ServiceRequestError("Bearer token authentication is not permitted over plain http; "
                                      "use an https endpoint")
        request.headers["Authorization"] = "Bearer " + self._current_token()

    def _stale(self) -> bool:
        """No token, an expired one, or one within five minutes of expiry that was not just fetched
        (a credential may hand out tokens that short-lived: each is used, renewed every 30 s)."""
        token, now = self._token, time.time()
        if token is None or token.expires_on <= now:
            return True
        return token.expires_on - now < self._REFRESH_BEFORE and now - self._fetched >= 30

    def _keep(self, fresh: Any) -> str:
        self._token = AccessToken(_check_secret(fresh.token, "the token"), int(fresh.expires_on))
        self._fetched = time.time()
        return self._token.token

    def _current_token(self) -> str:
        with self._lock:
            if not self._stale():
                return self._token.token  # type: ignore[union-attr]
            fresh = self._credential.get_token(*self._scopes)
            if hasattr(fresh, "__await__"):
                getattr(fresh, "close", lambda: None)()  # never awaited: say so without a warning
                raise TypeError("an async credential can only be used with the async clients")
            return self._keep(fresh)

    async def _refresh_async(self, url: str) -> None:
        """For the async clients, before the hook runs: a stale token is fetched on the loop (an
        async credential awaited; a blocking one in a worker thread, so the loop goes on)."""
        if self._credential is None or not url.lower().startswith("https:") or not self._stale():
            return
        import asyncio
        get_token = functools.partial(self._credential.get_token, *self._scopes)
        fresh = get_token() if asyncio.iscoroutinefunction(self._credential.get_token) else \
            await asyncio.get_running_loop().run_in_executor(None, get_token)
        if hasattr(fresh, "__await__"):
            fresh = await fresh
        with self._lock:
            self._keep(fresh)

    def __repr__(self) -> str:
        return "BearerTokenAuth(scopes={!r})".format(self._scopes)


def _auth_hook(credential: Any, kind: _EndpointKind, scopes: Optional[Sequence[str]]) -> Optional[AuthHook]:
    """The hook for whatever the caller passed as ``credential``, on an endpoint of ``kind``."""
    if credential is None:
        return None
    if isinstance(credential, AzureKeyCredential):
        return _KeyAuth(credential, kind.key_headers)
    if callable(getattr(credential, "get_token", None)):
        scopes = scopes or kind.scopes
        if not scopes:
            raise ValueError("{} endpoints name no token scope: pass credential_scopes=[...] with a token "
                             "credential, or use a key".format(kind.name))
        return BearerTokenAuth(credential, *scopes)
    if callable(credential):
        return credential  # type: ignore[no-any-return]
    raise TypeError("credential must be an AzureKeyCredential, a TokenCredential (with get_token) "
                    "or an auth hook (a callable that takes the HttpRequest), not {}".format(
                        type(credential).__name__))


# =============================================================================
# HTTP requests (azure.core.rest's shape) and their headers
# =============================================================================

class CaseInsensitiveDict(_HeadersBase):
    """Header names compare without case; the first spelling given is kept."""

    def __init__(self, data: Optional[Mapping[str, str]] = None) -> None:
        self._store: Dict[str, Tuple[str, str]] = {}  # lower-case name -> (name, value)
        if isinstance(data, CaseInsensitiveDict):
            self._store.update(data._store)
        elif data:
            self.update(data)

    def __setitem__(self, key: str, value: str) -> None:
        lower = key.lower()
        old = self._store.get(lower)
        self._store[lower] = (old[0] if old else key, value)

    def __getitem__(self, key: str) -> str:
        return self._store[key.lower()][1]

    def __delitem__(self, key: str) -> None:
        del self._store[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._store.values())

    def __len__(self) -> int:
        return len(self._store)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class HttpRequest:
    """A request to send with ``send_request`` (and what auth hooks see).

    ``url`` may be relative to the client's endpoint.  The body comes from
    ``json=`` (serialized), ``content=`` (bytes, str or a file) or ``data=``
    (form fields).
    """

    def __init__(self, method: str, url: str, *, params: Optional[Mapping[str, Any]] = None,
                 headers: Optional[Mapping[str, str]] = None, json: Any = None, content: Any = None,
                 data: Optional[Mapping[str, Any]] = None) -> None:
        self.method = method.upper()
        self.url = _add_query(url, params)
        self.headers = CaseInsensitiveDict(headers)
        self.content: Any = None
        if json is not None:
            self.content = _dumps(json)
            self.headers.setdefault("Content-Type", "application/json")
        elif data is not None:
            self.content = urlencode(data).encode("ascii")
            self.headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(content, str):
            self.content = content.encode("utf-8")
        elif content is not None:
            self.content = content

    def __repr__(self) -> str:
        return "<HttpRequest [{}], url: {!r}>".format(self.method, self.url)


def _dumps(body: Any) -> bytes:
    return json.dumps(body, default=_json_default).encode("utf-8")


def _add_query(url: str, params: Optional[Mapping[str, Any]]) -> str:
    if not params:
        return url
    query = urlencode([(k, v) for k, v in params.items() if v is not None], doseq=True, quote_via=quote)
    if not query:
        return url
    return url + ("&" if "?" in url else "?") + query


# =============================================================================
# Server-sent events: the WHATWG HTML standard, "Parsing an event stream"
# =============================================================================

class ServerSentEvent(_EventBase):
    """One dispatched event: ``event`` (its type), ``data``, ``id`` (the last event ID in
    force when it was dispatched) and ``retry`` (the reconnection time it set, if any).

    A named tuple underneath, so that the parser makes one without running Python code.
    """

    __slots__ = ()

    def __new__(cls, event: str = "message", data: str = "", id: str = "",
                retry: Optional[int] = None) -> ServerSentEvent:
        return tuple.__new__(cls, (event, data, id, retry))

    event = property(operator.itemgetter(0))
    data = property(operator.itemgetter(1))
    id = property(operator.itemgetter(2))
    retry = property(operator.itemgetter(3))

    def json(self) -> Any:
        """``data`` decoded as JSON."""
        return json.loads(self[1])

    def __repr__(self) -> str:
        return "ServerSentEvent(event={!r}, data={!r}, id={!r}, retry={!r})".format(*self)


class SSEParser:
    """Incremental event-stream parser: feed it bytes as they arrive.

    The steps follow the standard: decode UTF-8 (a BOM dropped, bad bytes
    become U+FFFD, characters split across chunks joined); cut lines at CRLF,
    LF or CR (a CR that ends one chunk and an LF that starts the next are one
    line end); interpret each line as a field; dispatch on a blank line.
    ``max_line_bytes`` and ``max_event_bytes`` bound memory whatever is fed.
    """

    def __init__(self, *, max_line_bytes: int = 8 * 1024 * 1024, max_event_bytes: int = 16 * 1024 * 1024) -> None:
        self.last_event_id = ""
        self.retry: Optional[int] = None
        self.max_line_bytes = max_line_bytes
        self.max_event_bytes = max_event_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._started = False  # past the optional BOM
        self._after_cr = False  # the last chunk ended in CR: skip one LF
        self._pending: List[str] = []  # text of the event still without its blank line
        self._pending_size = 0
        self._line_size = 0  # length of its last, unfinished line
        self._reset_event()

    def _reset_event(self) -> None:
        self._event_type = ""
        self._data: List[str] = []
        self._data_size = 0
        self._event_retry: Optional[int] = None

    # -- step 1: bytes to text -------------------------------------------------
    def feed(self, chunk: bytes) -> List[ServerSentEvent]:
        """The events that ``chunk`` completes (often none, sometimes several)."""
        text = self._decoder.decode(chunk)
        if not self._started:
            if not text:
                return []
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        return self._feed_text(text)

    def close(self) -> List[ServerSentEvent]:
        """End of stream.  An event without its blank line is discarded, as the standard says."""
        events = self._feed_text(self._decoder.decode(b"", final=True))
        self._early_retry()
        self._pending, self._pending_size, self._line_size = [], 0, 0
        self._reset_event()
        return events

    # -- step 2: text to lines, cut into events at blank lines ------------------
    def _feed_text(self, text: str) -> List[ServerSentEvent]:
        if self._after_cr and text:
            self._after_cr = False
            if text[0] == "\n":
                text = text[1:]
        if "\r" in text:
            self._after_cr = text.endswith("\r")
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text:
            return []
        pending = self._pending
        if "\n\n" not in text and not (pending and pending[-1][-1] == "\n" and text[0] == "\n"):
            pending.append(text)  # no blank line yet: keep the text until one comes
            self._pending_size += len(text)
            last_lf = text.rfind("\n")
            self._line_size = len(text) - last_lf - 1 if last_lf >= 0 else self._line_size + len(text)
            self._check_pending()
            if "retry" in text:
                self._early_retry()
            return []
        if pending:
            text = "".join(pending) + text
        blocks = text.split("\n\n")  # each block but the last is followed by a blank line
        rest = blocks.pop()
        events: List[ServerSentEvent] = []
        last_id, limit, new = self.last_event_id, self.max_event_bytes, tuple.__new__
        for block in blocks:
            if block[:6] == "data: " and "\n" not in block and len(block) <= limit:
                events.append(new(ServerSentEvent, ("message", block[6:], last_id, None)))  # one data line
            else:
                self._lines(block.split("\n"), events)
                self._dispatch(events)
                last_id = self.last_event_id
        self._pending = [rest] if rest else []
        self._pending_size = len(rest)
        self._line_size = len(rest) - rest.rfind("\n") - 1
        self._check_pending()
        return events

    def _early_retry(self) -> None:
        """A retry field takes effect when its line is processed, even in an event that never
        dispatches: apply those among the complete lines still waiting for their blank line."""
        if not self._pending:
            return
        for line in "".join(self._pending).split("\n")[:-1]:
            field, _, value = line.partition(":")
            if field == "retry":
                value = value[1:] if value[:1] == " " else value
                if value.isdigit() and value.isascii():
                    self.retry = int(value)

    def _check_pending(self) -> None:
        if self._line_size > self.max_line_bytes:
            self._too_big("line", self.max_line_bytes, "max_sse_line_bytes")
        if self._pending_size > self.max_event_bytes:
            self._too_big("event", self.max_event_bytes, "max_sse_event_bytes")

    # -- step 3: lines to fields, fields to events -----------------------------
    def _lines(self, lines: List[str], events: List[ServerSentEvent]) -> None:
        for line in lines:
            if not line:
                self._dispatch(events)
                continue
            if line[0] == ":":
                continue  # a comment
            field, _, value = line.partition(":")
            if value[:1] == " ":
                value = value[1:]
            if field == "data":
                self._data_size += len(value) + 1
                if self._data_size > self.max_event_bytes:
                    self._too_big("event", self.max_event_bytes, "max_sse_event_bytes")
                self._data.append(value)
            elif field == "event":
                self._event_type = value
            elif field == "id":
                if "\x00" not in value:
                    self.last_event_id = value
            elif field == "retry":
                if value.isdigit() and value.isascii():
                    self.retry = self._event_retry = int(value)
            # any other field is ignored

    def _dispatch(self, events: List[ServerSentEvent]) -> None:
        if self._data:
            events.append(ServerSentEvent(self._event_type or "message", "\n".join(self._data),
                                          self.last_event_id, self._event_retry))
        self._reset_event()

    def _too_big(self, what: str, limit: int, setting: str) -> None:
        self._pending, self._pending_size, self._line_size = [], 0, 0
        self._reset_event()
        raise ServiceResponseError("server-sent {} exceeds the cap of {} bytes ({})".format(what, limit, setting))


# =============================================================================
# HTTP/1.1 without I/O (RFC 9112): a request's bytes out, a response's events in
# =============================================================================

class _ProtocolError(Exception):
    """The peer broke HTTP/1.1 framing (the shells raise ServiceResponseError for it)."""


class _Head:
    """A response's status line and header section."""

    __slots__ = ("version", "status", "reason", "headers")

    def __init__(self, version: Tuple[int, int], status: int, reason: str, headers: CaseInsensitiveDict) -> None:
        self.version, self.status, self.reason, self.headers = version, status, reason, headers


_END = None  # the event that ends a response's body
# The grammar the reader checks (RFC 9112; a token is RFC 9110 §5.6.2's).  HTTP/1.x only: a minor version
# above 1 is read as 1.1 (§2.3); a status code has three digits, the first 1-9.
_TOKEN = r"[-!#$%&'*+.^_`|~0-9A-Za-z]+"
_STATUS_LINE = r"HTTP/1\.([0-9]) ([1-9][0-9][0-9])(?: (.*))?"
_FIELD_LINE = r"(" + _TOKEN + r"):(.*)"
_FIELD_LINES = r"(?:" + _TOKEN + r":.*\n|[ \t].*\n)*"  # a header section's field lines, each ended by LF
# A chunk-size line (§7.1): at most 16 hex digits, then extensions (name, or name=token or quoted-string).
_CHUNK_LINE = (rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[ \t]*[-!#$%&'*+.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*(?:"
               rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+|\"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*\""
               rb"))?[ \t]*)*")


def _request_head(method: str, target: str, headers: Iterable[Tuple[str, str]]) -> bytes:
    """A request line and header section, ready to send (header values are latin-1)."""
    lines = ["{} {} HTTP/1.1".format(method, target)]
    lines.extend("{}: {}".format(name, value) for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _ResponseReader:
    """Reads one response to a ``method`` request, as its bytes arrive: ``feed(data)`` returns
    the events they complete — a ``_Head``, then body bytes, then ``_END`` — and
    ``end_of_input()`` says the connection closed.  Interim (1xx) responses are skipped; a
    HEAD request, 204 and 304 have no body; the body is framed by chunked coding, by
    Content-Length, or else by the connection's close (RFC 9112 §6.3).  Framing that two
    readers could read two ways is refused with _ProtocolError: a bare CR or a NUL in the header
    section, a malformed field line, conflicting or malformed Content-Length, a chunk-size line
    or chunk not ended by CRLF, malformed chunk extensions.  Lines, the field count and the
    header section are capped, so no peer can exhaust memory.  ``done`` says the response was
    read to its end; afterwards ``reusable`` says whether the connection may carry another
    request (not after Connection: close, HTTP/1.0 without keep-alive, a body delimited by the
    close, Transfer-Encoding beside Content-Length or in HTTP/1.0, or bytes beyond the end)."""

    _HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILERS, _UNTIL_CLOSE, _DONE = range(8)

    def __init__(self, method: str, max_line: int = 65536, max_headers: int = 100) -> None:
        self._method = method
        self._max_line, self._max_headers = max_line, max_headers
        self._buffer = bytearray()
        self._state = self._HEAD
        self._remaining = 0
        self._scanned = 0  # how much of the buffer holds no end of the header section
        self._trailers = 0  # trailer lines read
        self._keep_alive = False
        self.received = False  # any byte at all: a response had begun

    @property
    def done(self) -> bool:
        return self._state == self._DONE

    @property
    def keep_alive(self) -> bool:
        """Whether the response (read to its end) leaves its connection open for another request."""
        return self._keep_alive

    @property
    def reusable(self) -> bool:
        return self._state == self._DONE and self._keep_alive and not self._buffer

    def feed(self, data: bytes) -> List[Any]:
        if data:
            self.received = True
            self._buffer += data
        events: List[Any] = []
        while self._step(events):
            pass
        return events

    def end_of_input(self) -> List[Any]:
        """The peer closed the connection: the end of a body read until then, else an error."""
        events = self.feed(b"")
        if self._state == self._UNTIL_CLOSE:
            if self._buffer:
                events.append(bytes(self._buffer))
                del self._buffer[:]
            events.append(_END)
            self._state = self._DONE
        elif self._state != self._DONE:
            raise _ProtocolError("the connection closed {}".format(
                "before the response was complete" if self.received else "without a response"))
        return events

    # -- one step: True if it made progress --------------------------------------
    def _step(self, events: List[Any]) -> bool:
        state, buffer = self._state, self._buffer
        if state in (self._LENGTH, self._CHUNK_DATA, self._UNTIL_CLOSE):
            if not buffer:
                return False
            if state == self._UNTIL_CLOSE:
                events.append(bytes(buffer))
                del buffer[:]
                return False
            take = min(self._remaining, len(buffer))
            events.append(bytes(buffer[:take]) if take < len(buffer) else bytes(buffer))
            del buffer[:take]
            self._remaining -= take
            if self._remaining == 0:
                if state == self._LENGTH:
                    self._finish(events)
                else:
                    self._state = self._CHUNK_END
            return True
        if state == self._HEAD:
            return self._read_head(events)
        if state == self._CHUNK_END:
            if buffer[:2] == b"\r\n":
                del buffer[:2]
                self._state = self._CHUNK_SIZE
                return True
            if len(buffer) >= 2 or (buffer and buffer[0] != 13):  # 13: CR
                raise _ProtocolError("a chunk is not followed by CRLF")
            return False
        if state == self._CHUNK_SIZE:
            end = buffer.find(b"\n")
            if end < 0 or end > self._max_line:
                if len(buffer) > self._max_line:
                    raise _ProtocolError("a chunk-size line exceeds {} bytes".format(self._max_line))
                return False
            size = buffer[:end - 1] if end and buffer[end - 1] == 13 else b"\r"
            if not (0 < len(size) <= 16 and not size.strip(b"0123456789abcdefABCDEF")):  # not just the size
                match = re.fullmatch(_CHUNK_LINE, size)
                if match is None:  # a bare LF or CR, or anything but hex digits and extensions, reads two ways
                    raise _ProtocolError("a malformed chunk size line: {!r}".format(bytes(buffer[:min(end + 1, 40)])))
                size = match.group(1)
            del buffer[:end + 1]
            self._remaining = int(size, 16)
            self._state = self._CHUNK_DATA if self._remaining else self._TRAILERS
            return True
        if state == self._TRAILERS:
            line = self._line()
            if line is None:
                return False
            if not line:
                self._finish(events)
                return True
            self._trailers += 1
            text = line.decode("latin-1")
            if self._trailers > self._max_headers:
                raise _ProtocolError("more than {} trailer lines".format(self._max_headers))
            if "\r" in text or "\0" in text or not (
                    re.fullmatch(_FIELD_LINE, text) or (text[:1] in (" ", "\t") and self._trailers > 1)):
                raise _ProtocolError("a malformed trailer line: {!r}".format(text[:40]))
            return True  # a trailer field: ignored
        return False  # _DONE: bytes after the response stay in the buffer (reusable says no)

    def _line(self) -> Optional[bytearray]:
        """The next line (without its CR LF or LF), or None until it is complete."""
        end = self._buffer.find(b"\n")
        if end < 0 or end > self._max_line:
            if len(self._buffer) > self._max_line:
                raise _ProtocolError("a response line exceeds {} bytes".format(self._max_line))
            return None
        line = self._buffer[:end]
        del self._buffer[:end + 1]
        return line[:-1] if line[-1:] == b"\r" else line

    def _read_head(self, events: List[Any]) -> bool:
        buffer = self._buffer
        if buffer and buffer[0] in (10, 13):  # empty lines before a status line are skipped
            while buffer[:1] == b"\n" or buffer[:2] == b"\r\n":
                del buffer[:1 if buffer[0] == 10 else 2]
        start = max(self._scanned - 2, 0)
        lf, crlf = buffer.find(b"\n\n", start), buffer.find(b"\n\r\n", start)
        if lf < 0 and crlf < 0:
            self._scanned = len(buffer)
            last_line = len(buffer) - buffer.rfind(b"\n") - 1
            if last_line > self._max_line:
                raise _ProtocolError("a response header line exceeds {} bytes".format(self._max_line))
            if len(buffer) > self._max_line * 4:
                raise _ProtocolError("the response's header section exceeds {} bytes".format(self._max_line * 4))
            return False
        end = (lf if crlf < 0 or 0 <= lf < crlf else crlf) + 1
        section = bytes(buffer[:end]).replace(b"\r\n", b"\n")
        del buffer[:end + (1 if end == lf + 1 else 2)]
        self._scanned = 0
        if b"\r" in section or b"\0" in section:  # RFC 9110 §5.5: a recipient must not let either through
            raise _ProtocolError("a bare CR or a NUL in the response's header section")
        text = section.decode("latin-1")
        status_end = text.index("\n") + 1
        fields = text[status_end:]
        lines = fields.split("\n")[:-1]
        if len(lines) > self._max_headers:
            raise _ProtocolError("more than {} response header lines".format(self._max_headers))
        if len(text) > self._max_line and max([status_end - 1, *map(len, lines)]) > self._max_line:
            raise _ProtocolError("a response header line exceeds {} bytes".format(self._max_line))
        match = re.fullmatch(_STATUS_LINE, text[:status_end - 1])
        if match is None:
            raise _ProtocolError("not an HTTP/1.x status line: {!r}".format(text[:min(status_end - 1, 40)]))
        if not re.fullmatch(_FIELD_LINES, fields) or fields[:1] in (" ", "\t"):
            bad = next(line for line in lines if not re.fullmatch(_FIELD_LINE, line))
            raise _ProtocolError("a malformed response header line: {!r}".format(bad[:40]))
        status = int(match.group(2))
        if status == 101:  # this client never asks to switch protocols
            raise _ProtocolError("a 101 (Switching Protocols) answered a request that asked for no upgrade")
        if status < 200:
            return True  # an interim response: the real one follows
        headers = CaseInsensitiveDict()
        store, key = headers._store, ""  # lower-case name -> (name, value), filled here at first hand
        for line in lines:
            if line[:1] in (" ", "\t"):  # obsolete line folding: one space instead (RFC 9112 §5.2)
                name, value = store[key]
                store[key] = (name, (value + " " + line.strip(" \t")).strip(" \t"))
                continue
            name, _, value = line.partition(":")
            key, value = name.lower(), value.strip(" \t")
            old = store.get(key)
            store[key] = (old[0], old[1] + ", " + value) if old else (name, value)
        version = (1, int(match.group(1)))
        none = ("", "")
        connection = {t.strip(" \t").lower() for t in store.get("connection", none)[1].split(",")}
        self._keep_alive = "close" not in connection and (version >= (1, 1) or "keep-alive" in connection)
        codings: List[str] = []
        field = store.get("transfer-encoding")
        if field:
            codings = [c for c in (c.strip(" \t").lower() for c in field[1].split(",")) if c]
            if not all(re.fullmatch(_TOKEN, c) for c in codings) or codings.count("chunked") > 1:
                raise _ProtocolError("an invalid Transfer-Encoding: {!r}".format(field[1][:40]))
        length: Optional[int] = None
        field = store.get("content-length")
        if field:  # a list of one value, repeated at most (RFC 9110 §8.6)
            lengths = {v.strip(" \t") for v in field[1].split(",")}
            value = lengths.pop()
            if lengths or not (value.isascii() and value.isdigit() and len(value) <= 20):
                raise _ProtocolError("an invalid Content-Length: {!r}".format(field[1][:40]))
            length = int(value)
        if codings and (length is not None or version < (1, 1)):
            self._keep_alive = False  # the framing may be read two ways: never reused (RFC 9112 §6.1, §6.3)
        events.append(_Head(version, status, match.group(3) or "", headers))
        if self._method == "HEAD" or status in (204, 304) or (
                self._method == "CONNECT" and status < 300):  # no body: what follows is the tunnel's
            self._finish(events)
        elif codings:  # chunked only if it is the final coding; else the body ends with the connection
            self._state = self._CHUNK_SIZE if codings[-1] == "chunked" else self._UNTIL_CLOSE
        elif length is not None:
            self._remaining = length
            self._state = self._LENGTH
            if not self._remaining:
                self._finish(events)
        else:
            self._state = self._UNTIL_CLOSE
        if self._state == self._UNTIL_CLOSE:
            self._keep_alive = False
        return True

    def _finish(self, events: List[Any]) -> None:
        events.append(_END)
        self._state = self._DONE


# =============================================================================
# Transport: one generator stack per call, carried out by a blocking or an asyncio shell
# =============================================================================
#
# A call is one stack of generators, written once: the operation (a client method) -> the plan
# (retries, around redirects, around auth) -> one exchange (a request on a connection, up to the
# response's head) -> the body.  Its only I/O is the steps below; a shell carries each one out,
# with blocking sockets or on the event loop, and sends its result back in or throws its error in.
#
# A response is OPEN (its body still to read), COMPLETE (read to its end, whatever then becomes of
# its connection) or ABANDONED (the caller stopped before the end: its connection is closed).
# A connection is IN USE (carrying a request or a body), IDLE (in the pool, ready for the next
# request) or PARKED (in the pool, the end of its last response still to read before reuse).
# Every connection in use holds one of the pool's slots, at most ``connection_limit`` of them.

# ---- retry policies, settings, URLs, bodies ------------------------------------

_RETRY_STATUSES = frozenset((408, 429, 500, 502, 503, 504))
_REDIRECT_STATUSES = frozenset((301, 302, 303, 307, 308))
# Never sent to another origin, never logged.
_SECRET_HEADERS = frozenset(("authorization", "api-key", "proxy-authorization", "cookie",
                             "x-api-key", "ocp-apim-subscription-key"))


def _retry_after(headers: Any) -> Optional[float]:
    """The server's requested wait in seconds, from the headers Azure and HTTP define."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = headers.get(name)
        if value:
            try:
                return float(value) / 1000.0
            except ValueError:
                pass
    value = headers.get("Retry-After")
    if value:
        try:
            return float(value)
        except ValueError:
            import email.utils
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is not None:
                return when.timestamp() - time.time()
    return None


def _retry_delay(retries: int, retry_after: Optional[float], options: _Options, deadline: float) -> Optional[float]:
    """How long to wait before the next try (the server's wish, else jittered exponential
    backoff, capped), or None when no try is left or the wait would end past the deadline."""
    if retries >= options.retry_total:
        return None
    if retry_after is None:
        import random
        retry_after = options.retry_backoff_factor * (2 ** retries) * random.uniform(0.8, 1.2)
    delay = max(0.0, min(retry_after, options.retry_backoff_max))
    return None if time.monotonic() + delay >= deadline else delay


def _azure_retry(retries: int, status: Optional[int], headers: Any, options: _Options,
                 deadline: float) -> Optional[float]:
    """The SDK's policy: connect errors and 408, 429, 500, 502, 503, 504, the server's wish
    (``retry-after-ms``, ``x-ms-retry-after-ms``, ``Retry-After``) or jittered exponential backoff."""
    if status is not None and status not in _RETRY_STATUSES:
        return None
    return _retry_delay(retries, _retry_after(headers) if headers is not None else None, options, deadline)


_OPENAI_MAX_RETRY_AFTER = 120.0


def _retry_after_openai(headers: Any) -> Optional[float]:
    """The server's wish as openai reads it: ``retry-after-ms``, then ``retry-after`` (seconds or an
    HTTP date); an infinite or overflowing number counts as too long."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            delay = float(value) / divisor
        except ValueError:
            continue
        return delay if delay == delay and delay not in (float("inf"), float("-inf")) else \
            _OPENAI_MAX_RETRY_AFTER + 1
    value = headers.get("retry-after")
    if value:
        import email.utils
        try:
            when = email.utils.parsedate_tz(value)
            return None if when is None else float(email.utils.mktime_tz(when) - time.time())
        except (TypeError, ValueError, OverflowError, OSError):
            return None
    return None


def _openai_retry(retries: int, status: Optional[int], headers: Any, options: _Options,
                  deadline: float) -> Optional[float]:
    """openai's policy: connection errors, timeouts, 408, 409, 429 and every 5xx; ``x-should-retry``
    overrides the status; ``retry-after-ms`` then ``retry-after`` honoured within 0-120 s (above
    120 s: no retry); else 0.5 s doubling, capped at 8 s, minus up to 25 % jitter."""
    if retries >= options.retry_total:
        return None
    wish = _retry_after_openai(headers) if headers is not None else None
    if wish is not None and wish > _OPENAI_MAX_RETRY_AFTER:
        return None
    should = headers.get("x-should-retry") if headers is not None else None
    if should == "false" or (should != "true" and status is not None and status not in (408, 409, 429)
                             and status < 500):
        return None
    if wish is not None and 0 < wish <= _OPENAI_MAX_RETRY_AFTER:
        delay = wish
    else:
        import random
        delay = min(0.5 * 2.0 ** min(retries, 1000), 8.0) * (1 - 0.25 * random.random())
    return None if time.monotonic() + delay >= deadline else delay


# The retry policies a client picks with _Options.retry_policy: (the wait before the next try, or None;
# the transport errors that are retried at all).
_RETRY_POLICIES: Dict[str, Tuple[Callable[..., Optional[float]], Tuple[type, ...]]] = {
    "azure": (_azure_retry, (ServiceRequestError,)),
    "openai": (_openai_retry, (ServiceRequestError, ServiceResponseError)),
}


class _Options:
    """Transport settings: the defaults below, the client's on top, a call's on top of those."""

    connection_timeout: float = 300.0
    read_timeout: float = 300.0
    timeout: float = 604800.0  # azure-core's: from sending to the response's headers, retries included
    retry_total: int = 3
    retry_backoff_factor: float = 0.8
    retry_backoff_max: float = 60.0
    max_redirects: int = 5
    max_response_bytes: int = 64 * 1024 * 1024
    max_sse_line_bytes: int = 8 * 1024 * 1024
    max_sse_event_bytes: int = 16 * 1024 * 1024
    logging_enable: bool = False
    retry_policy: str = "azure"  # a key of _RETRY_POLICIES

    def updated(self, settings: Dict[str, Any]) -> _Options:
        """A copy with ``settings`` applied (None leaves a setting as it is), checked."""
        changes = {k: v for k, v in settings.items() if v is not None}
        if not changes:
            return self
        for name, value in changes.items():
            if name == "logging_enable":
                continue
            if name == "retry_policy":
                if value not in _RETRY_POLICIES:
                    raise ValueError("retry_policy must be one of {}, not {!r}".format(sorted(_RETRY_POLICIES), value))
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError("{} must be a number >= 0, not {!r}".format(name, value))
        copy = object.__new__(_Options)
        copy.__dict__.update(self.__dict__, **changes)
        return copy


_OPTION_NAMES = frozenset(name for name in vars(_Options) if not name.startswith("_") and name != "updated")


def _pop_options(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    return {name: kwargs.pop(name) for name in list(kwargs) if name in _OPTION_NAMES}


def _logger() -> logging.Logger:
    import logging
    return logging.getLogger("chatclient")


def _redacted(headers: Mapping[str, str], secrets: Iterable[str]) -> Dict[str, str]:
    hidden = {s.lower() for s in secrets} | _SECRET_HEADERS
    return {k: ("REDACTED" if k.lower() in hidden else v) for k, v in headers.items()}


def _describe_exc(exc: BaseException) -> str:
    text = str(exc)
    return "{}: {}".format(type(exc).__name__, text) if text else type(exc).__name__


@functools.lru_cache(maxsize=256)
def _split_url(url: str) -> Tuple[Tuple[str, str, int], str]:
    """The origin (scheme, host, port) of an http(s) URL, and its path and query."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the URL has an invalid port") from None
    if not parts.hostname or scheme not in ("http", "https"):
        raise ValueError("not an http(s) URL with a host: {!r}".format(url.split("?")[0]))
    origin = (scheme, parts.hostname, port or (443 if scheme == "https" else 80))
    return origin, (parts.path or "/") + ("?" + parts.query if parts.query else "")


def _origin(url: str) -> Tuple[str, str, int]:
    return _split_url(url)[0]


def _check_headers(pairs: Iterable[Tuple[str, str]]) -> None:
    """Refuse header values http.client would refuse, without echoing them (they may be secrets)."""
    try:
        if not re.search(_BAD_HEADER_CHARS, "".join(value for _, value in pairs)):
            return
    except TypeError:
        pass
    for name, value in pairs:  # find the culprit, to name it
        if not isinstance(value, str):
            raise TypeError("header {!r} must be a str, not {}".format(name, type(value).__name__))
        if re.search(_BAD_HEADER_CHARS, value):
            raise ValueError("header {!r} contains a line break, a NUL or a character outside "
                             "latin-1 (its value is not shown)".format(name))


def _host_port(host: str, port: int) -> str:
    """host:port, an IPv6 host in brackets."""
    return "{}:{}".format("[{}]".format(host) if ":" in host else host, port)


def _host_header(origin: Tuple[str, str, int]) -> str:
    """The Host header: the authority, without the scheme's default port."""
    scheme, host, port = origin
    authority = _host_port(host, port)
    return authority.rsplit(":", 1)[0] if port == (443 if scheme == "https" else 80) else authority


@functools.lru_cache(maxsize=8)  # loading the trust store takes milliseconds: once per setting
def _ssl_context(verify: Union[bool, str]) -> ssl.SSLContext:
    """A TLS context: the ssl module's default trust (honouring SSL_CERT_FILE), a CA file or
    folder, or no verification at all for ``False``."""
    import ssl
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str) and os.path.isdir(verify):
        context = ssl.create_default_context(capath=verify)
    elif isinstance(verify, str):
        context = ssl.create_default_context(cafile=verify)
    else:
        context = ssl.create_default_context()
    return context


def _proxy_for(scheme: str, host: str) -> Optional[Tuple[str, int, Dict[str, str]]]:
    """The proxy for ``scheme`` from the environment, as urllib reads it, or None.

    Returns (host, port, headers for the proxy).  urllib.request (large to import) is
    imported only when a proxy variable for ``scheme`` is set.
    """
    if not any(name.lower() == scheme + "_proxy" for name in os.environ):
        return None
    import urllib.request
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]
        return None
    proxy = proxies.get(scheme)
    if not proxy:
        return None
    parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
    headers: Dict[str, str] = {}
    if parts.username is not None:
        import base64
        from urllib.parse import unquote
        userinfo = "{}:{}".format(unquote(parts.username), unquote(parts.password or ""))
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(userinfo.encode("utf-8")).decode("ascii")
    return parts.hostname or "", parts.port or 8080, headers


class _Body:
    """A request body, normalised once: bytes, or a binary file sent from where it stands, its
    length known before sending (and read again from there for a retry)."""

    def __init__(self, content: Any) -> None:
        self.data: Optional[bytes] = None
        self.file: Any = None
        self.length: Optional[int] = None
        if content is None:
            return
        if isinstance(content, (bytes, bytearray, memoryview)):
            self.data = bytes(content)
        elif isinstance(content, str):
            self.data = content.encode("utf-8")
        elif hasattr(content, "read"):
            if getattr(content, "seekable", lambda: False)() and isinstance(content.read(0), bytes):
                self.file, self.start = content, content.tell()
                self.length = content.seek(0, 2) - self.start
                content.seek(self.start)
                return
            data = content.read()  # a text file (its encoded length is only known by reading it), or a pipe
            self.data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        else:
            raise TypeError("a request body must be bytes, str, a file or a JSON-able mapping, not {}".format(
                type(content).__name__))
        self.length = len(self.data)

    def with_head(self, head: bytes) -> Iterator[bytes]:
        """The request's bytes, ``head`` then exactly ``length`` bytes of body, in as few writes as
        possible: a body in memory goes out with the head, in one segment where it fits."""
        if self.data:
            yield head + self.data
            return
        yield head
        if self.file is not None:
            self.file.seek(self.start)
            left = self.length or 0
            while left:
                block = self.file.read(min(left, 65536))
                if not block:
                    raise ServiceRequestError("the file body is shorter than when the request began")
                left -= len(block)
                yield block

    def preview(self) -> str:
        """The body for a debug log: its start, or what it is."""
        if self.file is not None:
            return "<file, {} bytes>".format(self.length)
        if self.data is None:
            return ""
        text = self.data[:4096].decode("utf-8", "replace")
        return text + ("..." if len(self.data) > 4096 else "")


def _announce(retry: int, delay: float, options: _Options, cause: str) -> None:
    """A retry, on the ``chatclient`` logger: a WARNING, which Python shows on stderr even where
    logging was never configured (its last-resort handler), so that no call waits in silence."""
    _logger().warning("%s: retrying in %.1f s, %d of %d", cause, delay, retry, options.retry_total)


def _waits(options: _Options, left: float) -> Tuple[Tuple[float, str, float], Tuple[float, str, float]]:
    """How long one exchange may wait to connect and for the response's head: (seconds, the
    setting that limits it, its value), within what is ``left`` of the call's timeout."""
    return (min((options.connection_timeout, "connection_timeout", options.connection_timeout),
                (left, "timeout", options.timeout)),
            min((options.read_timeout, "read_timeout", options.read_timeout), (left, "timeout", options.timeout)))


# ---- the steps: the only I/O there is -------------------------------------------

class _Step(tuple):  # type: ignore[type-arg]
    """An I/O step: a tuple of its arguments; ``op`` names the shell's method that carries it out."""

    __slots__ = ()
    op = ""

    def __new__(cls, *args: Any) -> Any:
        return tuple.__new__(cls, args)


def _step(op: str, fields: str) -> Any:
    """A kind of step, taking ``fields`` (what each argument is, for the reader) in order."""
    return type(op, (_Step,), {"op": op, "__slots__": (), "fields": fields})


_Connect = _step("connect", "host port timeout")  # a TCP connection to host:port: answered with it
_StartTLS = _step("start_tls", "conn context server_hostname timeout")  # answered with conn, now encrypted
_Write = _step("write", "conn data timeout")  # send all of data
_Receive = _step("receive", "conn timeout")  # answered with the bytes that arrived, or b"" when the peer closed
_Sleep = _step("sleep", "seconds")
_Slot = _step("slot", "pool timeout")  # wait until the pool has a slot free, and take it
_Refresh = _step("refresh", "auth url")  # renew the auth hook's stale token (on the loop, for the asyncio shell)


# What a failed step means, by what it was for: (error, message, message when it timed out).
_FAILURES: Dict[str, Tuple[Type[AzureError], str, str]] = {
    "connect": (ServiceRequestError, "cannot connect to {where}: {exc}",
                "connecting to {where} timed out ({setting}={value:g}s)"),
    "head": (ServiceResponseError, "the response broke: {exc}", "no response in time ({setting}={value:g}s)"),
    "body": (ServiceResponseError, "the response body broke off: {exc}",
             "read timed out while receiving the response body ({setting}={value:g}s)"),
}


def _failure(phase: str, exc: BaseException, wait: Tuple[float, str, float], where: str = "") -> AzureError:
    """The error a failed step is, mapped once for every step: a timeout names the setting that ran out."""
    cls, message, timed_out = _FAILURES[phase]
    text = timed_out if isinstance(exc, socket.timeout) else message
    return cls(text.format(where=where, exc=_describe_exc(exc), setting=wait[1], value=wait[2]), error=exc)


# ---- the pool: a client's connections, and their slots ---------------------------

class _Pool:
    """A client's connections: the idle and parked ones by origin, and the slots of those in use
    (at most ``limit``: a request beyond waits for one).  Also what connecting needs: the shell
    that carries out the steps, TLS settings and proxies.  Safe to share across threads."""

    def __init__(self, shell: Any, connection_verify: Union[bool, str] = True,
                 ssl_context: Optional[ssl.SSLContext] = None, proxies: bool = True, limit: int = 100) -> None:
        self.shell = shell
        self.limit = limit
        self.connections_opened = 0
        self._verify, self._ssl_context, self._use_proxies = connection_verify, ssl_context, proxies
        self._proxies: Dict[Tuple[str, str, int], Optional[Tuple[str, int, Dict[str, str]]]] = {}
        self._idle: Dict[Tuple[str, str, int], List[Any]] = {}
        self._in_use = 0
        self._waiting: Deque[Callable[[], bool]] = collections.deque()
        self._lock = threading.RLock()  # reentrant: a response collected while it is held releases too

    def proxy(self, origin: Tuple[str, str, int]) -> Optional[Tuple[str, int, Dict[str, str]]]:
        if origin not in self._proxies:
            self._proxies[origin] = _proxy_for(origin[0], origin[1]) if self._use_proxies else None
        return self._proxies[origin]

    def context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = _ssl_context(self._verify)
        return self._ssl_context

    def take_slot(self, wake: Optional[Callable[[], bool]] = None) -> bool:
        """Take a slot if one is free; else ``wake``, if given, is called when one may be (it says
        whether it woke a waiter)."""
        with self._lock:
            if self._in_use < self.limit:
                self._in_use += 1
                return True
            if wake is not None:
                self._waiting.append(wake)
            return False

    def forget(self, wake: Callable[[], bool]) -> bool:
        """A waiter gives up: whether it was still waiting (False: it has just been woken)."""
        with self._lock:
            if wake in self._waiting:
                self._waiting.remove(wake)
                return True
            return False

    def wake_next(self) -> None:
        while True:
            with self._lock:
                if not self._waiting:
                    return
                wake = self._waiting.popleft()
            if wake():
                return

    def pop_idle(self, origin: Tuple[str, str, int]) -> Any:
        with self._lock:
            idle = self._idle.get(origin)
            return idle.pop() if idle else None

    def release(self, origin: Tuple[str, str, int], conn: Any, reusable: bool, parked: bool) -> None:
        """A connection is done with: its slot freed, itself idle (``parked``: its response's end
        still to read first) or closed."""
        with self._lock:
            self._in_use -= 1
            idle = self._idle.setdefault(origin, [])
            keep = reusable and len(idle) < self.limit
            if keep:
                conn.parked = parked
                idle.append(conn)
        if not keep:
            conn.close()
        self.wake_next()

    def close(self) -> None:
        """Close every idle connection; the pool stays usable."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


# ---- responses ----------------------------------------------------------------------

_OPEN, _COMPLETE, _ABANDONED = "open", "complete", "abandoned"


class _ResponseBase:
    """What the blocking and the asyncio responses share: ``status_code``, ``reason``, ``headers``
    (case-insensitive), and the body read as the caller asks, never beyond the client's size cap."""

    def __init__(self, request: HttpRequest, head: _Head, conn: Any, pool: _Pool, origin: Tuple[str, str, int],
                 options: _Options, events: List[Any]) -> None:
        self.request = request
        self.status_code: int = head.status
        self.reason: str = head.reason
        self.headers: CaseInsensitiveDict = head.headers
        self._connection, self._pool, self._origin = conn, pool, origin
        self._shell = pool.shell
        self._read_timeout, self._max_body = options.read_timeout, options.max_response_bytes
        self._content: Optional[bytes] = None
        self._state = _OPEN
        self._pending = self._take(events)  # body bytes that came with the head

    @property
    def content_type(self) -> Optional[str]:
        return self.headers.get("Content-Type")

    @property
    def is_closed(self) -> bool:
        return self._state != _OPEN

    def _take(self, events: List[Any]) -> List[bytes]:
        """The body bytes among a read's events; at the body's end the response is complete, and
        its connection goes back to the pool or is closed, as the response's framing says."""
        if events and events[-1] is _END:
            self._complete(self._connection.reader.reusable, False)
            return [data for data in events[:-1] if data]
        return events

    def _complete(self, reusable: bool, parked: bool) -> None:
        if self._state is _OPEN:
            self._state = _COMPLETE
            self._pool.release(self._origin, self._connection, reusable, parked)

    def _abandon(self) -> None:
        """Stop reading: the connection is closed (its slot freed) unless the body was complete."""
        if self._state is _OPEN:
            self._state = _ABANDONED
            self._pool.release(self._origin, self._connection, False, False)

    def _park(self) -> None:
        """The reader has what it wanted (a stream's [DONE]) though the body may not have ended: a
        connection that stays open goes back to the pool, which reads the rest before reusing it if
        it has arrived by then, and closes it otherwise; one that closes is closed.  Nothing waits."""
        if self._state is _OPEN:
            self._state = _COMPLETE
            keep = self._connection.reader.keep_alive
            self._pool.release(self._origin, self._connection, keep, keep)

    def __del__(self) -> None:
        try:  # dropped unread: its connection closed, its slot freed
            self._abandon()
        except Exception:  # pragma: no cover  (interpreter shutdown)
            pass

    def _more(self) -> Generator[Any, bytes, List[bytes]]:
        """Steps: the body pieces the next bytes to arrive complete."""
        reader = self._connection.reader
        try:
            data = yield _Receive(self._connection, self._read_timeout)
            events = reader.feed(data) if data else reader.end_of_input()
        except (OSError, _ProtocolError) as exc:
            self._abandon()
            raise _failure("body", exc, (self._read_timeout, "read_timeout", self._read_timeout)) from None
        except BaseException:  # interrupted or cancelled: the connection is closed at once
            self._abandon()
            raise
        return self._take(events)

    def _read_all(self) -> Generator[Any, bytes, bytes]:
        """Steps: the whole body (up to the size cap, past which ServiceResponseError)."""
        if self._content is None:
            if self._state is _ABANDONED:
                raise ServiceResponseError("the response was closed before its body was read")
            chunks, self._pending = self._pending, []
            size = sum(map(len, chunks))
            while True:
                if size > self._max_body:
                    self._abandon()
                    raise ServiceResponseError("response body exceeds the cap of {} bytes (max_response_bytes)".format(
                        self._max_body))
                if self._state is not _OPEN:
                    break
                for piece in (yield from self._more()):
                    size += len(piece)
                    chunks.append(piece)
            self._content = b"".join(chunks)
        return self._content

    def _pieces_so_far(self) -> List[bytes]:
        """For iter_bytes: the body if it was read, else what arrived with the head."""
        if self._content is not None:
            return [self._content] if self._content else []
        if self._state is _ABANDONED:
            raise ServiceResponseError("the response was closed before its body was read")
        pending, self._pending = self._pending, []
        return pending

    @property
    def content(self) -> bytes:
        raise NotImplementedError  # pragma: no cover

    def text(self, encoding: Optional[str] = None) -> str:
        return self.content.decode(encoding or "utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def __repr__(self) -> str:
        return "<{}: {} {}>".format(type(self).__name__, self.status_code, self.reason)


class HttpResponse(_ResponseBase):
    """A response: ``status_code``, ``reason``, ``headers``, then the body by
    ``read()``/``text()``/``json()`` or ``iter_bytes()``, and ``close()``."""

    @property
    def content(self) -> bytes:
        return self.read()

    def read(self) -> bytes:
        """The whole body (up to the size cap, past which ServiceResponseError)."""
        if self._content is None:
            self._shell.run(self._read_all())
        return self._content  # type: ignore[return-value]

    def iter_bytes(self, chunk_size: Optional[int] = None) -> Iterator[bytes]:
        """The body as it arrives: each piece is yielded as soon as it is read."""
        yield from self._pieces_so_far()
        while self._state is _OPEN:
            yield from self._shell.run(self._more())

    def close(self) -> None:
        """Stop reading; the connection is closed unless the body was read to its end."""
        self._abandon()

    def __enter__(self) -> HttpResponse:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncHttpResponse(_ResponseBase):
    """The async clients' response: ``await read()``, ``async for ... in iter_bytes()``,
    ``await close()``; ``content``, ``text()`` and ``json()`` once the body was read."""

    @property
    def content(self) -> bytes:
        if self._content is None:
            raise ServiceResponseError("the body has not been read: await response.read() first")
        return self._content

    async def read(self) -> bytes:
        """The whole body (up to the size cap, past which ServiceResponseError)."""
        if self._content is None:
            await self._shell.run(self._read_all())
        return self._content  # type: ignore[return-value]

    async def iter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        """The body as it arrives: each piece is yielded as soon as it is read."""
        for piece in self._pieces_so_far():
            yield piece
        while self._state is _OPEN:
            for piece in await self._shell.run(self._more()):
                yield piece

    async def close(self) -> None:
        self._abandon()

    async def __aenter__(self) -> AsyncHttpResponse:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._abandon()


# ---- the plan: one call, as a generator of steps ------------------------------------

def _connect_head(host: str, port: int, headers: Dict[str, str]) -> bytes:
    """The request that asks a proxy for a tunnel to host:port."""
    authority = _host_port(host, port)
    return _request_head("CONNECT", authority, [("Host", authority)] + list(headers.items()))


def _check_tunnel(head: _Head, via: Tuple[str, int, Dict[str, str]]) -> None:
    if not 200 <= head.status < 300:
        raise _ProtocolError("the proxy {}:{} refused the tunnel: {} {}".format(via[0], via[1], head.status,
                                                                                 head.reason))


def _connect(pool: _Pool, origin: Tuple[str, str, int], wait: Tuple[float, str, float]) -> Generator[Any, Any, Any]:
    """Steps: a new connection to ``origin`` (through the proxy's tunnel for https), within ``wait``."""
    scheme, host, port = origin
    via = pool.proxy(origin)
    conn = None
    try:
        conn = yield _Connect(via[0] if via else host, via[1] if via else port, wait[0])
        if scheme == "https":
            if via:
                conn.reader = _ResponseReader("CONNECT")
                yield _Write(conn, _connect_head(host, port, via[2]), wait[0])
                events: List[Any] = []
                while not events:
                    data = yield _Receive(conn, wait[0])
                    events = conn.reader.feed(data) if data else conn.reader.end_of_input()
                _check_tunnel(events[0], via)
            conn = yield _StartTLS(conn, pool.context(), host, wait[0])
    except (OSError, _ProtocolError) as exc:
        if conn is not None:
            conn.close()
        raise _failure("connect", exc, wait, _host_port(host, port)) from None
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    pool.connections_opened += 1
    return conn


def _reuse(pool: _Pool, origin: Tuple[str, str, int]) -> Generator[Any, Any, Any]:
    """Steps: an idle connection to ``origin`` that can carry a request, or None.  A parked one's
    response is read to its end first, waiting at most 50 ms for each piece (it is usually there)."""
    while True:
        conn = pool.pop_idle(origin)
        if conn is None:
            return None
        try:
            limit = 65536
            while conn.parked and not conn.reader.done and limit > 0:
                data = yield _Receive(conn, 0.05)
                limit -= len(data)
                conn.reader.feed(data) if data else conn.reader.end_of_input()
        except (OSError, _ProtocolError):  # the rest did not come (or broke)
            pass
        except BaseException:
            conn.close()
            raise
        if (not conn.parked or conn.reader.reusable) and conn.alive():
            conn.parked = False
            return conn
        conn.close()


class _Closed:
    """Stands for a connection already closed, whose slot is given back."""

    parked = False

    def close(self) -> None:
        pass


_CLOSED = _Closed()


def _exchange(pool: _Pool, request: HttpRequest, origin: Tuple[str, str, int], head: bytes, body: _Body,
              left: float, options: _Options) -> Generator[Any, Any, Any]:
    """Steps: one request on one connection, up to the response's head; the body is left to read.
    A kept-alive connection that the server had closed is replaced by a new one (not a retry)."""
    connect_wait, head_wait = _waits(options, left)
    try:
        yield _Slot(pool, connect_wait[0])
    except socket.timeout:
        raise ServiceRequestError("no connection free in time: all {} in use ({}={:g}s, connection_limit)".format(
            pool.limit, *connect_wait[1:])) from None
    try:
        for attempt in range(2):
            conn = (yield from _reuse(pool, origin)) if attempt == 0 else None
            reused = conn is not None
            if conn is None:
                conn = yield from _connect(pool, origin, connect_wait)
            conn.reader = reader = _ResponseReader(request.method)
            try:
                for data in body.with_head(head):
                    yield _Write(conn, data, head_wait[0])
                events: List[Any] = []
                while not events:
                    data = yield _Receive(conn, head_wait[0])
                    events = reader.feed(data) if data else reader.end_of_input()
            except (OSError, _ProtocolError) as exc:
                conn.close()
                if reused and not reader.received and not isinstance(exc, socket.timeout):
                    continue  # the server closed it while it was idle: the request never arrived
                raise _failure("head", exc, head_wait) from None
            except BaseException:  # interrupted or cancelled: the connection is closed at once
                conn.close()
                raise
            return pool.shell.response_class(request, events[0], conn, pool, origin, options, events[1:])
        raise AssertionError("unreachable")  # pragma: no cover
    except BaseException:
        pool.release(origin, _CLOSED, False, False)  # no response holds the slot
        raise


def _small(response: _ResponseBase) -> bool:
    """Whether an unwanted body is small enough to read, so that its connection can be reused."""
    length = response.headers.get("Content-Length")
    return length is not None and length.isdigit() and int(length) <= 65536


def _discard(response: _ResponseBase) -> Generator[Any, Any, None]:
    """Steps: read a small unwanted body so the connection can be reused; close a big one."""
    if _small(response):
        try:
            yield from response._read_all()
            return
        except AzureError:
            pass
    response._abandon()


def _authorized(request: HttpRequest, method: str, url: str, origin: Tuple[str, str, int], auth: Optional[AuthHook],
                auth_origin: Optional[Tuple[str, str, int]]) -> Tuple[HttpRequest, Iterable[str]]:
    """The request as it goes to ``url``: the auth hook's headers on the credentials' origin
    (a header the caller set wins), no secret header anywhere else.  Also the names of the
    headers the hook set, which are secret too."""
    attempt = HttpRequest(method, url, headers=request.headers)
    store = attempt.headers._store
    added: Iterable[str] = ()
    if origin == auth_origin and auth is not None:
        given = dict(store)
        auth(attempt)
        added = store.keys() - given.keys()
        store.update(given)  # a header the caller set goes out as given: the hook fills in the others
    elif auth_origin is not None:
        for lower in _SECRET_HEADERS & store.keys():
            del store[lower]
    _check_headers(store.values())
    return attempt, added


def _redirect_url(response: _ResponseBase, method: str, url: str, hops: int, options: _Options) -> str:
    """Where a redirect leads, if it may be followed; else the error it is."""
    status, location = response.status_code, response.headers.get("Location", "")
    if hops >= options.max_redirects:
        raise TooManyRedirectsError("stopped after {} redirects (max_redirects); the last one, {} to {}".format(
            hops, status, location), response=response)
    problem = None
    try:
        new_url: str = urljoin(url, location)
        _split_url(new_url)
    except ValueError:
        problem = "a URL that is not http(s) with a valid host and port"
    else:
        if url.lower().startswith("https:") and new_url.lower().startswith("http:"):
            problem = "a redirect from https to plain http is refused"
        elif status in (301, 302, 303) and method not in ("GET", "HEAD"):
            problem = ("a {} is not re-sent as a GET without its body; only 307 and 308 keep the method "
                       "(update the endpoint to the new location)".format(method))
    if problem is not None:
        raise HttpResponseError("{} {} to {}: {}".format(status, response.reason, location, problem),
                                response=response)
    return new_url


def _send(pool: _Pool, request: HttpRequest, options: _Options, auth: Optional[AuthHook] = None,
          auth_origin: Optional[Tuple[str, str, int]] = None) -> Generator[Any, Any, Any]:
    """Steps: how one request is sent, in layers: retries, around redirects, around auth, around one
    exchange.  Returns the final response, its body left to read."""
    method, url = request.method, request.url
    body = _Body(request.content)
    refresh = getattr(auth, "_refresh_async", None)
    retries = hops = 0
    deadline = time.monotonic() + options.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ServiceResponseError("no response in time (timeout={:g}s)".format(options.timeout))
        origin, target = _split_url(url)
        if refresh is not None and origin == auth_origin:
            yield _Refresh(auth, url)
        attempt, secrets = _authorized(request, method, url, origin, auth, auth_origin)
        if options.logging_enable:
            _logger().debug("Request: %s %s\nHeaders: %s\nBody: %s", method, url,
                            _redacted(attempt.headers, secrets), body.preview())
        via = pool.proxy(origin)
        lines = CaseInsensitiveDict(attempt.headers) if origin[0] == "http" and via else attempt.headers
        if origin[0] == "http" and via:
            target = url  # a plain-http proxy wants the absolute URL, and its own credentials
            lines.update(via[2])
        fields = [("Host", _host_header(origin)), ("Accept-Encoding", "identity")] if "host" not in lines else []
        fields.extend(lines.items())
        if body.length is not None or method in ("POST", "PUT", "PATCH"):
            fields.append(("Content-Length", str(body.length or 0)))
        policy, retried = _RETRY_POLICIES[options.retry_policy]
        try:
            response = yield from _exchange(pool, attempt, origin, _request_head(method, target, fields), body,
                                            left, options)
        except (ServiceRequestError, ServiceResponseError) as exc:
            delay = policy(retries, None, None, options, deadline) if isinstance(exc, retried) else None
            if delay is None:
                raise
            retries += 1
            _announce(retries, delay, options, str(exc))
            yield _Sleep(delay)
            continue
        status = response.status_code
        if options.logging_enable:
            _logger().debug("Response: %s %s\nHeaders: %s", status, response.reason,
                            _redacted(dict(response.headers.items()), secrets))
        if status in _REDIRECT_STATUSES and response.headers.get("Location"):
            yield from _discard(response)
            url = _redirect_url(response, method, url, hops, options)
            hops += 1
            continue
        if status >= 400:
            delay = policy(retries, status, response.headers, options, deadline)
            if delay is not None:
                yield from _discard(response)
                retries += 1
                _announce(retries, delay, options, "{} {}".format(status, response.reason))
                yield _Sleep(delay)
                continue
        return response


# ---- the blocking shell ------------------------------------------------------------------

def _readable_now(sock: socket.socket) -> bool:
    """Whether an idle socket has something to read: for a kept-alive connection,
    that is the server's close (or junk), so it must not be reused."""
    import select
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


class _SocketConnection:
    """A connection on a blocking socket, and the reader of its current response."""

    __slots__ = ("sock", "reader", "parked", "timeout")

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.reader, self.parked = sock, _ResponseReader("GET"), False
        self.timeout: Optional[float] = sock.gettimeout()

    def alive(self) -> bool:
        return not _readable_now(self.sock)

    def wait(self, timeout: float) -> socket.socket:
        if timeout != self.timeout:  # settimeout is two system calls: only when it changes
            self.sock.settimeout(timeout)
            self.timeout = timeout
        return self.sock

    def close(self) -> None:
        try:  # wakes a thread blocked reading this socket (an abandoned stream)
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def _set_event(event: threading.Event) -> bool:
    """Wakes a thread waiting for a slot; whether it was still waiting."""
    woken = not event.is_set()
    event.set()
    return woken


class _BlockingShell:
    """Carries out the steps with blocking sockets, in the calling thread."""

    response_class = HttpResponse

    def run(self, steps: Generator[Any, Any, T]) -> T:
        """Carries out ``steps`` to their end: each step's result is sent back in, its error thrown in."""
        reply: Any = None
        error: Optional[BaseException] = None
        while True:
            try:
                step = steps.send(reply) if error is None else steps.throw(error)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            try:
                reply, error = getattr(self, step.op)(*step), None
            except BaseException as exc:  # Ctrl-C too: the steps close what they hold
                reply, error = None, exc

    def connect(self, host: str, port: int, timeout: float) -> _SocketConnection:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _SocketConnection(sock)

    def start_tls(self, conn: _SocketConnection, context: ssl.SSLContext, host: str,
                  timeout: float) -> _SocketConnection:
        conn.sock = context.wrap_socket(conn.wait(timeout), server_hostname=host)
        return conn

    def write(self, conn: _SocketConnection, data: bytes, timeout: float) -> None:
        conn.wait(timeout).sendall(data)

    def receive(self, conn: _SocketConnection, timeout: float) -> bytes:
        return conn.wait(timeout).recv(65536)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def slot(self, pool: _Pool, timeout: float) -> None:
        if pool.take_slot():  # the usual case: nothing to wait on
            return
        deadline = time.monotonic() + timeout
        while True:
            event = threading.Event()
            wake = functools.partial(_set_event, event)
            if pool.take_slot(wake):
                return
            if not event.wait(max(0.0, deadline - time.monotonic())) and pool.forget(wake):
                raise socket.timeout("no slot")  # (not forgotten: woken meanwhile, so try again)

    def refresh(self, auth: Any, url: str) -> None:
        """Nothing: the hook renews its token itself, in this thread."""


_BLOCKING = _BlockingShell()


# ---- the asyncio shell ----------------------------------------------------------------------

def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(socket.timeout("timed out"))


class _LoopConnection:
    """A connection on the event loop (its asyncio protocol): the bytes the loop hands over wait
    in a queue for the next receive step; ``close()`` drops the connection at once."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: Any = None
        self.reader = _ResponseReader("GET")
        self.parked = False
        self._received: Deque[bytes] = collections.deque()
        self._size = 0
        self._eof = False
        self._error: Optional[BaseException] = None
        self._waiter: Optional[asyncio.Future[None]] = None
        self._writable: Optional[asyncio.Future[None]] = None

    # -- the protocol: called by the loop ----------------------------------------
    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._received.append(data)
        self._size += len(data)
        if self._size > 1 << 20:
            self.transport.pause_reading()  # the reader is behind: let TCP hold the rest
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self._eof, self._error = True, exc
        self._wake()
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    def pause_writing(self) -> None:
        self._writable = self.loop.create_future()

    def resume_writing(self) -> None:
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)
        self._writable = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- used by the shell -----------------------------------------------------------
    async def write(self, data: bytes) -> None:
        if self._eof:
            raise ConnectionResetError("the connection was closed")
        self.transport.write(data)
        if self._writable is not None:
            await self._writable

    async def receive(self, timeout: float) -> bytes:
        if not self._received and not self._eof:
            self._waiter = waiter = self.loop.create_future()
            timer = self.loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            finally:
                timer.cancel()
                self._waiter = None
        if self._received:
            data = b"".join(self._received)
            self._received.clear()
            if self._size > 1 << 20:
                self.transport.resume_reading()
            self._size = 0
            return data
        if self._error is not None:
            raise self._error
        return b""

    def alive(self) -> bool:
        """Whether an idle connection may carry another request: of the running loop (a client may
        outlive one ``asyncio.run``), and nothing arrived while it was idle."""
        import asyncio
        return not (self._eof or self._received or self.transport is None or self.transport.is_closing()
                    or self.loop is not asyncio.get_running_loop())

    def close(self) -> None:
        if self.transport is not None:
            try:
                self.transport.abort()  # at once: nothing more is sent, nothing waited for
            except RuntimeError:  # its event loop is closed: so is the socket
                pass
        self._eof = True


def _set_future(future: asyncio.Future[None]) -> bool:
    """Wakes a task waiting for a slot; whether it was still waiting."""
    if future.done():
        return False
    future.set_result(None)
    return True


class _AsyncioShell:
    """Carries out the same steps on the running event loop, with no thread."""

    response_class = AsyncHttpResponse

    async def run(self, steps: Generator[Any, Any, T]) -> T:
        """Carries out ``steps`` to their end: each step's result is sent back in, its error thrown in."""
        reply: Any = None
        error: Optional[BaseException] = None
        while True:
            try:
                step = steps.send(reply) if error is None else steps.throw(error)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            try:
                reply, error = await getattr(self, step.op)(*step), None
            except BaseException as exc:  # cancelled too: the steps close what they hold
                reply, error = None, exc

    async def connect(self, host: str, port: int, timeout: float) -> _LoopConnection:
        import asyncio  # only the async clients need it: not imported with the module
        loop = asyncio.get_running_loop()
        conn = _LoopConnection(loop)
        try:
            await asyncio.wait_for(loop.create_connection(lambda: conn, host, port), timeout)  # type: ignore
        except asyncio.TimeoutError:
            conn.close()
            raise socket.timeout("timed out") from None
        except BaseException:
            conn.close()
            raise
        return conn

    async def start_tls(self, conn: _LoopConnection, context: ssl.SSLContext, host: str,
                        timeout: float) -> _LoopConnection:
        import asyncio
        try:
            conn.transport = await asyncio.wait_for(conn.loop.start_tls(
                conn.transport, conn, context, server_hostname=host), timeout)  # type: ignore[arg-type]
        except asyncio.TimeoutError:
            raise socket.timeout("timed out") from None
        return conn

    async def write(self, conn: _LoopConnection, data: bytes, timeout: float) -> None:
        await conn.write(data)

    async def receive(self, conn: _LoopConnection, timeout: float) -> bytes:
        return await conn.receive(timeout)

    async def sleep(self, seconds: float) -> None:
        import asyncio
        await asyncio.sleep(seconds)

    async def slot(self, pool: _Pool, timeout: float) -> None:
        if pool.take_slot():  # the usual case: nothing to wait on
            return
        import asyncio
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            future = loop.create_future()
            wake = functools.partial(_set_future, future)
            if pool.take_slot(wake):
                return
            timer = loop.call_later(max(0.0, deadline - loop.time()), _expire, future)
            try:
                await future
            except BaseException:  # timed out or cancelled: a wake that came meanwhile goes to the next
                if not pool.forget(wake):
                    pool.wake_next()
                raise
            finally:
                timer.cancel()

    async def refresh(self, auth: Any, url: str) -> None:
        await auth._refresh_async(url)


_ASYNCIO = _AsyncioShell()


# =============================================================================
# Keyless credentials: Microsoft Entra ID tokens, with azure.identity's names
# =============================================================================

_AUTHORITY = "https://login.microsoftonline.com"
_IMDS = "http://169.254.169.254"  # the instance metadata service of Azure VMs and AKS nodes


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


class _TokenCredential:
    """Base of the keyless credentials: ``get_token(*scopes)`` returns each set of scopes'
    token from a cache until five minutes before it expires; one caller at a time asks
    for a new one, so concurrent callers share it."""

    _REFRESH_BEFORE = 300
    _NAME = "credential"

    def __init__(self, **kwargs: Any) -> None:
        self._tokens: Dict[Tuple[str, ...], AccessToken] = {}
        self._lock = threading.Lock()
        self._pool = _Pool(_BLOCKING, kwargs.pop("connection_verify", True), proxies=kwargs.pop("proxies", True))
        self._options = _Options().updated(dict({"connection_timeout": 10, "read_timeout": 30},
                                                **_pop_options(kwargs)))

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if not scopes:
            raise ValueError("{}.get_token needs at least one scope".format(type(self).__name__))
        with self._lock:
            token = self._tokens.get(scopes)
            if token is None or token.expires_on - time.time() < self._REFRESH_BEFORE:
                token = self._tokens[scopes] = self._fetch(scopes)
            return token

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        raise NotImplementedError  # pragma: no cover

    def _unavailable(self, why: str) -> CredentialUnavailableError:
        return CredentialUnavailableError("{}: {}".format(type(self).__name__, why))

    def _ask(self, request: HttpRequest, options: Optional[_Options] = None,
             secrets: Sequence[str] = ()) -> Dict[str, Any]:
        """Send a token request; its JSON answer, or the error that says what went wrong
        (CredentialUnavailableError when the service could not be reached)."""
        try:
            response = _BLOCKING.run(_send(self._pool, request, options or self._options))
            body = response.read()
        except AzureError as exc:
            raise self._unavailable(_scrub(str(exc), secrets)) from None
        finally:
            self._pool.close()  # the next token is an hour away: keep no idle connection
        try:
            answer = json.loads(body)
        except (ValueError, RecursionError):
            answer = None
        if 200 <= response.status_code < 300 and isinstance(answer, dict) and answer.get("access_token"):
            return answer
        detail = body[:300].decode("utf-8", "replace")
        if isinstance(answer, dict):
            inner = answer.get("error")
            detail = str(answer.get("error_description") or (inner.get("message") if isinstance(inner, dict)
                                                               else inner) or answer.get("message") or detail)
        raise ClientAuthenticationError("{}: {} {}: {}".format(
            type(self).__name__, response.status_code, response.reason, _scrub(detail, secrets)), response=response)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "{}()".format(type(self).__name__)


def _resource(scopes: Tuple[str, ...], who: str) -> str:
    """The resource of a ``.default`` scope, as managed identity endpoints and the CLI name it."""
    if len(scopes) != 1:
        raise ValueError("{} takes exactly one scope, not {}".format(who, len(scopes)))
    scope = scopes[0]
    return scope[:-len("/.default")] if scope.endswith("/.default") else scope


def _expiry(answer: Mapping[str, Any]) -> int:
    """When a token from ``answer`` expires: ``expires_on`` (seconds since the epoch) or ``expires_in``."""
    for key, base in (("expires_on", 0.0), ("expires_in", time.time())):
        try:
            return int(base + float(answer[key]))
        except (KeyError, TypeError, ValueError):
            continue
    return int(time.time()) + 3600  # no expiry given: an hour, as Entra ID's tokens usually last


def _authority(authority: Optional[str]) -> str:
    """The Entra ID host to ask: ``authority=``, else AZURE_AUTHORITY_HOST, else the public cloud; https only."""
    host = (authority or os.environ.get("AZURE_AUTHORITY_HOST") or _AUTHORITY).rstrip("/")
    if "://" not in host:
        host = "https://" + host
    if not host.lower().startswith("https://"):
        raise ValueError("the authority must be an https URL (tokens are never asked for over plain http)")
    return host


class _ClientCredential(_TokenCredential):
    """An application in a tenant that proves itself to Entra ID's token endpoint (the OAuth 2.0
    client credentials grant, a form-encoded POST); subclasses say how, in ``_proof()``."""

    def __init__(self, tenant_id: Optional[str], client_id: Optional[str], authority: Optional[str],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, value in (("tenant_id", tenant_id), ("client_id", client_id)):
            if not isinstance(value, str) or not value:
                raise ValueError("{} must be a non-empty str".format(name))
        self._url = "{}/{}/oauth2/v2.0/token".format(_authority(authority), quote(str(tenant_id), safe=""))
        self._client_id = str(client_id)

    def _proof(self) -> Dict[str, str]:
        raise NotImplementedError  # pragma: no cover

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        proof = self._proof()
        form = dict(client_id=self._client_id, scope=" ".join(scopes), grant_type="client_credentials", **proof)
        answer = self._ask(HttpRequest("POST", self._url, data=form, headers={"Accept": "application/json"}),
                           secrets=list(proof.values()))
        return AccessToken(answer["access_token"], _expiry(answer))

    def __repr__(self) -> str:
        return "{}(client_id={!r})".format(type(self).__name__, self._client_id)


class ClientSecretCredential(_ClientCredential):
    """A service principal: its tenant, client (application) id and a client secret."""

    def __init__(self, tenant_id: str, client_id: str, client_secret: str, *, authority: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(tenant_id, client_id, authority, **kwargs)
        self._secret = _check_secret(client_secret, "the client secret")

    def _proof(self) -> Dict[str, str]:
        return {"client_secret": self._secret}


class WorkloadIdentityCredential(_ClientCredential):
    """AKS workload identity: the federated token in AZURE_FEDERATED_TOKEN_FILE (read again for
    every new token) as a client assertion, for AZURE_CLIENT_ID in AZURE_TENANT_ID."""

    def __init__(self, *, tenant_id: Optional[str] = None, client_id: Optional[str] = None,
                 token_file_path: Optional[str] = None, authority: Optional[str] = None, **kwargs: Any) -> None:
        tenant_id = tenant_id or os.environ.get("AZURE_TENANT_ID")
        client_id = client_id or os.environ.get("AZURE_CLIENT_ID")
        self._token_file = token_file_path or os.environ.get("AZURE_FEDERATED_TOKEN_FILE")
        if not (tenant_id and client_id and self._token_file):
            raise CredentialUnavailableError("WorkloadIdentityCredential: AZURE_TENANT_ID, AZURE_CLIENT_ID and "
                                             "AZURE_FEDERATED_TOKEN_FILE are not all set")
        super().__init__(tenant_id, client_id, authority, **kwargs)

    def _proof(self) -> Dict[str, str]:
        try:
            with open(str(self._token_file), encoding="utf-8") as f:
                assertion = f.read().strip()
        except OSError as exc:
            raise self._unavailable("cannot read the federated token file: {}".format(exc.strerror)) from None
        return {"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion}


class EnvironmentCredential(_TokenCredential):
    """A service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        names = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")
        values = [os.environ.get(name) for name in names]
        self._inner = ClientSecretCredential(*values, **kwargs) if all(values) else None  # type: ignore[arg-type]

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        if self._inner is None:
            raise self._unavailable("AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not all set")
        return self._inner._fetch(scopes)


class ManagedIdentityCredential(_TokenCredential):
    """The identity Azure gives the machine: App Service, Functions and Container Apps
    (IDENTITY_ENDPOINT and IDENTITY_HEADER), else the instance metadata service of VMs and
    AKS; a user-assigned identity by ``client_id``.  Both endpoints are local by design:
    reached over http, never through a proxy."""

    def __init__(self, *, client_id: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(proxies=False, **kwargs)
        self._client_id = client_id
        self._probed = False  # the metadata service has answered once

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        query = {"resource": _resource(scopes, "ManagedIdentityCredential"), "client_id": self._client_id}
        endpoint, secret = os.environ.get("IDENTITY_ENDPOINT"), os.environ.get("IDENTITY_HEADER")
        if endpoint and secret:
            request = HttpRequest("GET", endpoint, params=dict(query, **{"api-version": "2019-08-01"}),
                                  headers={"X-IDENTITY-HEADER": secret})
            answer = self._ask(request, secrets=[secret])
        else:
            host = os.environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") or _IMDS
            request = HttpRequest("GET", host.rstrip("/") + "/metadata/identity/oauth2/token",
                                  params=dict(query, **{"api-version": "2018-02-01"}), headers={"Metadata": "true"})
            # The first ask is a probe: on a machine without the service it gives up within a second.
            probe = None if self._probed else self._options.updated(
                {"timeout": 1, "connection_timeout": 1, "retry_total": 0})
            answer = self._ask(request, probe)
            self._probed = True
        return AccessToken(answer["access_token"], _expiry(answer))

    def __repr__(self) -> str:
        return "ManagedIdentityCredential(client_id={!r})".format(self._client_id)


class AzureCliCredential(_TokenCredential):
    """The account signed in to the Azure CLI (``az login``), for developer machines."""

    def __init__(self, *, tenant_id: Optional[str] = None, process_timeout: float = 10, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._tenant_id, self._timeout = tenant_id, process_timeout

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        import shutil
        import subprocess
        az = shutil.which("az")
        if az is None:
            raise self._unavailable("the Azure CLI (az) is not on PATH")
        command = [az, "account", "get-access-token", "--output", "json", "--scope", " ".join(scopes)]
        if self._tenant_id:
            command += ["--tenant", self._tenant_id]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=self._timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise self._unavailable("az did not answer within {:g}s".format(self._timeout)) from None
        except OSError as exc:
            raise self._unavailable("cannot run az: {}".format(exc.strerror)) from None
        if done.returncode != 0:
            message = (done.stderr.strip().splitlines() or ["exit status {}".format(done.returncode)])[-1]
            if "az login" in done.stderr or "az account set" in done.stderr:
                raise self._unavailable("not signed in: run 'az login' ({})".format(message))
            raise ClientAuthenticationError("AzureCliCredential: " + message)
        try:
            answer = json.loads(done.stdout)
            token = answer["accessToken"]
            import datetime
            expires = int(answer["expires_on"]) if "expires_on" in answer else int(datetime.datetime.strptime(
                answer["expiresOn"][:19], "%Y-%m-%d %H:%M:%S").timestamp())  # local time, as older CLIs write it
        except (ValueError, KeyError, TypeError):
            raise ClientAuthenticationError("AzureCliCredential: az answered something that is not a token") from None
        return AccessToken(_check_secret(token, "the token"), expires)


class DefaultAzureCredential(_TokenCredential):
    """Tries EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential and
    AzureCliCredential in turn, and keeps using the first that gives a token."""

    def __init__(self, *, managed_identity_client_id: Optional[str] = None,
                 exclude_environment_credential: bool = False, exclude_workload_identity_credential: bool = False,
                 exclude_managed_identity_credential: bool = False, exclude_cli_credential: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._chain: List[Any] = []
        self._chosen: Optional[_TokenCredential] = None
        for excluded, make in (
                (exclude_environment_credential, lambda: EnvironmentCredential(**kwargs)),
                (exclude_workload_identity_credential, lambda: WorkloadIdentityCredential(**kwargs)),
                (exclude_managed_identity_credential,
                 lambda: ManagedIdentityCredential(client_id=managed_identity_client_id, **kwargs)),
                (exclude_cli_credential, lambda: AzureCliCredential(**kwargs))):
            if not excluded:
                try:
                    self._chain.append(make())
                except CredentialUnavailableError as exc:
                    self._chain.append(exc)  # what it said, for the error if nothing works

    def _fetch(self, scopes: Tuple[str, ...]) -> AccessToken:
        if self._chosen is not None:
            return self._chosen.get_token(*scopes)
        answers = []
        for credential in self._chain:
            if isinstance(credential, BaseException):
                answers.append(str(credential))
                continue
            try:
                token: AccessToken = credential.get_token(*scopes)
            except AzureError as exc:
                answers.append(str(exc))
                continue
            self._chosen = credential
            return token
        raise ClientAuthenticationError("DefaultAzureCredential found no token. " + "; ".join(answers))

    def close(self) -> None:
        for credential in self._chain:
            if isinstance(credential, _TokenCredential):
                credential.close()


# =============================================================================
# Streaming chat completions
# =============================================================================

class _Text:
    """A string that a stream adds to piece by piece: one buffer, not one object per piece."""

    __slots__ = ("buffer",)

    def __init__(self, first: str) -> None:
        self.buffer = io.StringIO(first)
        self.buffer.seek(0, io.SEEK_END)


class _ToolCalls(dict):  # type: ignore[type-arg]
    """Tool-call fragments by their index, merged; a list (by index) in the final answer."""


# Delta keys whose first value stands: repeated in later chunks, they are not more text.
_FIRST_ONLY = frozenset(("role", "id", "type", "index", "object", "model", "created"))


def _index_order(index: Any) -> Tuple[int, Any]:
    """Sorts choice and tool-call indexes: numbers in order, anything odd after them."""
    return (0, index) if isinstance(index, int) else (1, str(index))


def _plain(value: Any) -> Any:
    """The answer so far as plain JSON."""
    if isinstance(value, _Text):
        return value.buffer.getvalue()
    if isinstance(value, _ToolCalls):
        return [_plain(value[i]) for i in sorted(value, key=_index_order)]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _merge(into: Dict[str, Any], delta: Dict[str, Any]) -> None:
    """Adds one delta (or a part of one) into the answer so far: strings concatenated, tool
    calls merged by index, lists concatenated (adjacent parts of one type merged into one),
    objects merged key by key, any other value the latest one that is not null.  A field that
    came both as a list of parts and as strings (Mistral's content) ends as the list, every
    string in it as a ``{"type": "text"}`` part, in the order they came."""
    for key, value in delta.items():
        old = into.get(key)
        if isinstance(value, str):
            if isinstance(old, _Text):
                old.buffer.write(value)
            elif isinstance(old, str) and old:
                if key not in _FIRST_ONLY:
                    into[key] = text = _Text(old)  # a second piece: from now on, one buffer
                    text.buffer.write(value)
            elif isinstance(old, list):
                if value:  # content that came as parts goes on as parts: the string as a text part
                    _merge(into, {key: [{"type": "text", "text": value}]})
            else:
                into[key] = value  # the first piece (or one of another type than before)
        elif key == "tool_calls" and isinstance(value, list):
            if not isinstance(old, _ToolCalls):
                old = into[key] = _ToolCalls()
            for position, call in enumerate(value):
                if isinstance(call, dict):
                    index = call.get("index", position)
                    _merge(old.setdefault(index if isinstance(index, (int, str)) else str(index), {}),
                           {k: v for k, v in call.items() if k != "index"})
        elif isinstance(value, dict):
            if not isinstance(old, dict):
                old = into[key] = {}
            _merge(old, value)
        elif isinstance(value, list):
            if not isinstance(old, list):
                before = _plain(old) if isinstance(old, (str, _Text)) else None  # strings before the parts: a part
                old = into[key] = [{"type": "text", "text": before}] if before else []
            for part in value:
                last = old[-1] if old else None
                if (isinstance(part, dict) and isinstance(last, dict) and part.get("type") is not None
                        and last.get("type") == part.get("type")):
                    _merge(last, part)  # Mistral's content parts: one text part, not one per chunk
                else:
                    old.append(_to_json(part))  # a copy: the chunk also belongs to the update the caller got
        elif value is not None or key not in into:
            into[key] = value


class _Accumulator:
    """Adds stream chunks up into the ChatCompletions the service would have answered without
    streaming: each choice's deltas merged into its message, logprobs concatenated, the last
    finish_reason, filter results and usage, and the chunks' other top-level keys as they
    first came with a value."""

    def __init__(self) -> None:
        self.received = False
        self._top: Dict[str, Any] = {}
        self._settled = {"choices", "usage"}  # top-level keys that later chunks cannot change (usage: below)
        self._choices: Dict[Any, Dict[str, Any]] = {}

    def add(self, chunk: Dict[str, Any]) -> None:
        self.received = True
        top = self._top
        if not self._settled.issuperset(chunk):  # most chunks repeat what the first ones said
            for key, value in chunk.items():
                if key == "choices":
                    top.setdefault(key, None)  # its place; filled in by result()
                elif not top.get(key):
                    top[key] = value  # the first that is not empty (Azure's first chunk has "" and 0)
            self._settled.update(key for key, value in top.items() if value)
        if chunk.get("usage"):
            top["usage"] = chunk["usage"]  # the last
        choices = chunk.get("choices")
        for choice in choices if type(choices) is list else ():
            if type(choice) is not dict:
                continue  # a server's odd shapes are skipped here, never raised from
            delta = choice.get("delta")
            if (type(delta) is dict and len(delta) == 1 and choice.get("finish_reason") is None
                    and choice.get("logprobs") is None and len(choice) - ("logprobs" in choice) == 3
                    and "index" in choice and "finish_reason" in choice):
                # The common chunk (index, delta, finish_reason and logprobs only, one more piece of one
                # field): straight into that field's buffer (-25% CPU a chunk).
                index = choice["index"]
                state = self._choices.get(index) if type(index) is int else None
                (key, piece), = delta.items()
                text = state["message"].get(key) if state is not None else None
                if type(text) is _Text and type(piece) is str:
                    text.buffer.write(piece)
                    continue
            index = choice.get("index", 0)
            index = index if isinstance(index, (int, str)) else str(index)
            state = self._choices.get(index)
            if state is None:
                state = self._choices[index] = {"index": index, "message": {}, "finish_reason": None}
            for key, value in choice.items():
                if key == "delta":
                    if isinstance(value, dict):
                        _merge(state["message"], value)
                elif key == "logprobs" and isinstance(value, dict):
                    if not isinstance(state.get(key), dict):
                        state[key] = {}
                    _merge(state[key], value)
                elif key != "index" and (value or key not in state):
                    state[key] = value  # finish_reason, filter results: the latest that is not empty

    def unfinished(self) -> List[Any]:
        return [index for index, state in self._choices.items() if state["finish_reason"] is None]

    def result(self, cls: Type[M] = ChatCompletions) -> M:  # type: ignore[assignment]
        body = _plain(self._top)
        body["object"] = "chat.completion"
        choices = []
        for index in sorted(self._choices, key=_index_order):
            choice = _plain(self._choices[index])
            message = choice["message"]
            message.setdefault("role", "assistant")
            message.setdefault("content", None)
            choices.append(choice)
        body["choices"] = choices
        return cls._from_json(body)


_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (text, index) -> (value, end)


class _ChatStream:
    """What the sync and async streams share: SSE parsing, the step from one event to its
    update, and the answer the updates add up to."""

    _UPDATE: ClassVar[Any] = staticmethod(StreamingChatCompletionsUpdate._from_json)  # an event's object -> update
    _SKIP_EMPTY: ClassVar[bool] = True  # events with neither choices nor usage are skipped, as the SDK does

    def __init__(self, response: Any, max_sse_line_bytes: int, max_sse_event_bytes: int) -> None:
        self._response = response
        self._parser = SSEParser(max_line_bytes=max_sse_line_bytes, max_event_bytes=max_sse_event_bytes)
        self._final = _Accumulator()
        self._done = False  # "data: [DONE]" arrived

    def _step(self, event: ServerSentEvent) -> Optional[StreamingChatCompletionsUpdate]:
        """One event: its update (None for one with neither choices nor usage, as the SDK
        skips them), or the error it is, raised; the answer so far takes it in."""
        kind, data, _, _ = event
        if data == "[DONE]":
            self._done = True
            return None
        if kind == "error":
            raise self._error({"message": data})
        try:
            obj, end = _scan_json(data, 0)  # the C scanner itself: json.loads' checks around it cost more (-15%)
            if end != len(data):
                obj = json.loads(data)  # spaces after the object, or something that is not JSON
        except (StopIteration, ValueError, RecursionError):
            try:
                obj = json.loads(data)
            except (ValueError, RecursionError):
                raise DecodeError("a stream event is not JSON: {!r}".format(data[:200]), response=self._http(),
                                  error_model=ODataV4Format({})) from None
        if not isinstance(obj, dict):
            raise DecodeError("a stream event is not a JSON object: {!r}".format(data[:200]),
                              response=self._http(), error_model=ODataV4Format({}))
        if obj.get("error"):
            inner = obj["error"]
            raise self._error(inner if isinstance(inner, Mapping) else {"message": str(inner)})
        self._final.add(obj)
        return self._UPDATE(obj) if obj.get("choices") or obj.get("usage") or not self._SKIP_EMPTY else None

    def _step_end(self) -> None:
        """The body ended before [DONE]: an error unless every choice finished."""
        unfinished = self._final.unfinished()
        if unfinished or not self._final.received:
            what = "choice {} had no finish_reason".format(unfinished[0]) if unfinished else "no event arrived"
            raise ServiceResponseError("the stream ended before data: [DONE] ({}): the answer is incomplete".format(
                what))

    def _http(self) -> Optional[_ResponseBase]:
        return self._response if isinstance(self._response, _ResponseBase) else None

    def _error(self, body: Mapping[str, Any]) -> HttpResponseError:
        if isinstance(body.get("message"), str) and body["message"].startswith("{"):
            try:  # "event: error" whose data is itself an error object
                inner = _error_object(json.loads(body["message"]))
                if inner is not None:
                    body = inner
            except (ValueError, RecursionError):
                pass
        error = ODataV4Format(body)
        return HttpResponseError("the service sent an error in the stream: ({}) {}".format(error.code, error.message),
                                 response=self._http(), error_model=error)

    def _settle(self) -> Any:
        """The stream is over: after [DONE] the connection goes back to the pool, which reads the
        end of its body before reusing it (if it is already there); otherwise it is closed."""
        http = self._http()
        if self._done and http is not None:
            http._park()
            return None
        return self._response.close()


class StreamingChatCompletions(_ChatStream):
    """The updates of a streamed chat completion, each yielded as soon as its event
    is complete.  A context manager; ``close()`` stops early.

    Build one from any response with ``iter_bytes()`` and ``close()``.
    """

    def __init__(self, response: Any, *, max_sse_line_bytes: int = _Options.max_sse_line_bytes,
                 max_sse_event_bytes: int = _Options.max_sse_event_bytes) -> None:
        super().__init__(response, max_sse_line_bytes, max_sse_event_bytes)
        self._updates = self._stream()

    def _stream(self) -> Generator[StreamingChatCompletionsUpdate, None, None]:
        parser = self._parser
        try:  # the events of each chunk as it arrives, then those the end of the body completes
            for events in itertools.chain(map(parser.feed, self._response.iter_bytes()), (parser.close() for _ in ".")):
                for event in events:
                    update = self._step(event)
                    if update is not None:
                        yield update
                    if self._done:
                        return
            self._step_end()
        finally:
            self._settle()

    def __iter__(self) -> Iterator[StreamingChatCompletionsUpdate]:
        return self._updates  # the generator itself: a for loop resumes it without a call in between

    def __next__(self) -> StreamingChatCompletionsUpdate:
        return next(self._updates)

    def get_final_completion(self) -> ChatCompletions:
        """The ChatCompletions these updates add up to (reading the rest of the stream first)."""
        for _ in self:
            pass
        return self._final.result()

    def close(self) -> None:
        self._updates.close()  # its finally settles the response, if it had started
        self._response.close()

    def __enter__(self) -> StreamingChatCompletions:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncStreamingChatCompletions(_ChatStream):
    """``async for`` over the updates of a streamed chat completion; ``async with``,
    ``await close()``.  Build one from any response whose ``iter_bytes()`` is an
    async iterator of bytes and whose ``close()`` may be awaited.
    """

    def __init__(self, response: Any, *, max_sse_line_bytes: int = _Options.max_sse_line_bytes,
                 max_sse_event_bytes: int = _Options.max_sse_event_bytes) -> None:
        super().__init__(response, max_sse_line_bytes, max_sse_event_bytes)
        self._updates = self._stream()

    async def _stream(self) -> AsyncGenerator[StreamingChatCompletionsUpdate, None]:
        events = self._events()
        try:
            async for event in events:
                update = self._step(event)
                if update is not None:
                    yield update
                if self._done:
                    return
            self._step_end()
        finally:  # also on cancellation: the stream is closed at once
            await events.aclose()  # here, not in a finalizer task that a stopped loop would never run
            settled = self._settle()
            if hasattr(settled, "__await__"):
                await settled

    async def _events(self) -> AsyncGenerator[ServerSentEvent, None]:
        chunks = self._response.iter_bytes()
        try:
            async for chunk in chunks:
                for event in self._parser.feed(chunk):
                    yield event
            for event in self._parser.close():
                yield event
        finally:
            if hasattr(chunks, "aclose"):
                await chunks.aclose()

    def __aiter__(self) -> AsyncStreamingChatCompletions:
        return self

    async def __anext__(self) -> StreamingChatCompletionsUpdate:
        return await self._updates.__anext__()

    async def get_final_completion(self) -> ChatCompletions:
        """The ChatCompletions these updates add up to (reading the rest of the stream first)."""
        async for _ in self:
            pass
        return self._final.result()

    async def close(self) -> None:
        await self._updates.aclose()
        result = self._response.close()
        if hasattr(result, "__await__"):
            await result

    aclose = close

    async def __aenter__(self) -> AsyncStreamingChatCompletions:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


# =============================================================================
# Clients
# =============================================================================

# The keyword settings of each client, in the order the SDK puts them in the body.
_CHAT_SETTINGS = ("frequency_penalty", "max_tokens", "model", "presence_penalty", "response_format",
                  "seed", "stop", "temperature", "tool_choice", "tools", "top_p")
_EMBED_SETTINGS = ("dimensions", "encoding_format", "input_type", "model")


def _response_format(value: Any) -> Any:
    """The wire form of ``response_format``: "text", "json_object" or a JsonSchemaFormat."""
    if value is None or isinstance(value, Mapping):
        return value
    if isinstance(value, JsonSchemaFormat):
        return {"type": "json_schema", "json_schema": value}
    if value in ("text", "json_object"):
        return {"type": str(value)}
    raise ValueError("Unsupported `response_format` {!r}: use \"text\", \"json_object\" or a "
                     "JsonSchemaFormat".format(value))


_PER_CALL = ("headers", "params", "error_map")  # what a call takes besides its settings and the transport's


def _request_id() -> str:
    h = os.urandom(16).hex()
    return "{}-{}-4{}-{}-{}".format(h[:8], h[8:12], h[13:16], h[16:20], h[20:])


def _check_list(value: Any, name: str, kinds: Tuple[type, ...], what: str) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError("{} must be a list of {}, not {}".format(name, what, type(value).__name__))
    for i, item in enumerate(value):
        if not isinstance(item, kinds):
            raise TypeError("{}[{}] must be {}, not {}".format(name, i, what, type(item).__name__))


class _Client:
    """What every client shares: endpoint, auth, headers, settings, its pool of connections, and
    the operations, written once as generators of the transport's steps, which the client's shell
    carries out (blocking, or on the event loop for the async clients)."""

    _SETTINGS: ClassVar[Tuple[str, ...]] = ()
    _SHELL: ClassVar[Any] = _BLOCKING
    _STREAM: ClassVar[Any] = StreamingChatCompletions

    def __init__(self, endpoint: str, credential: Any, *, api_version: Optional[str] = _UNSET,
                 credential_scopes: Optional[Sequence[str]] = None, headers: Optional[Mapping[str, str]] = None,
                 user_agent: Optional[str] = None, connection_verify: Union[bool, str] = True,
                 ssl_context: Optional[ssl.SSLContext] = None, model_extras: Optional[Dict[str, Any]] = None,
                 connection_limit: int = 100, **kwargs: Any) -> None:
        if not isinstance(endpoint, str):
            raise TypeError("endpoint must be a str, not {}".format(type(endpoint).__name__))
        self._auth_origin = _origin(endpoint)
        meant = _endpoint(endpoint)  # the base URL of an operation's URL, an Azure resource's v1 API
        self._kind = kind = meant.kind
        self._base, _, self._query = meant.url.partition("?")
        self._urls: Dict[str, str] = {}  # path -> URL, for calls without params
        if api_version is _UNSET:
            api_version = kind.api_version if meant.api_version is None else meant.api_version
        self._api_version = api_version or None  # None or "" sends no api-version
        if isinstance(credential, (str, bytes)):
            raise TypeError("credential must be a credential, not a {} (its value is not shown): if it is a key, "
                            "wrap it: AzureKeyCredential(key)".format(type(credential).__name__))
        self._auth = _auth_hook(credential, kind, credential_scopes)
        self._headers = CaseInsensitiveDict(headers)
        self._user_agent = (user_agent + " " if user_agent else "") + _USER_AGENT
        if model_extras is not None and not isinstance(model_extras, Mapping):
            raise TypeError("model_extras must be a dict, not {}".format(type(model_extras).__name__))
        self._model_extras = model_extras
        self._defaults = {name: kwargs.pop(name, None) for name in self._SETTINGS}
        if "response_format" in self._defaults:
            self._defaults["response_format"] = _response_format(self._defaults["response_format"])
        self._options = _Options().updated(_pop_options(kwargs))
        if kwargs:
            raise TypeError("{}() got an unexpected keyword argument {!r}".format(type(self).__name__,
                                                                                  next(iter(kwargs))))
        if not isinstance(connection_limit, int) or connection_limit < 1:
            raise ValueError("connection_limit must be a whole number >= 1, not {!r}".format(connection_limit))
        self._pool = _Pool(self._SHELL, connection_verify, ssl_context, limit=connection_limit)
        self._model_info: Optional[ModelInfo] = None

    # -- requests --------------------------------------------------------------
    def _url(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        """The endpoint, ``path``, then the endpoint's query, ``params`` and ``api-version``."""
        if not params and path in self._urls:
            return self._urls[path]
        query = dict(params or {})
        if self._api_version:
            query.setdefault("api-version", self._api_version)
        url = _add_query(self._base + path + ("?" + self._query if self._query else ""), query)
        if not params:
            self._urls[path] = url
        return url

    def _request(self, method: str, path: str, content: Any, call: Dict[str, Any],
                 extra_parameters: bool = False) -> Tuple[HttpRequest, _Options]:
        """One API request: the client's headers, then the call's ``headers``, ``params`` and
        transport settings on top; and the settings."""
        options = self._options.updated(_pop_options(call))
        headers, params = call.pop("headers", None), call.pop("params", None)
        call.pop("error_map", None)  # azure-core's per-call mapping: ours is fixed
        if call:
            raise TypeError("unexpected keyword argument {!r}".format(next(iter(call))))
        request = HttpRequest(method, self._url(path, params))
        h = request.headers
        h["User-Agent"] = self._user_agent
        h["Accept"] = "application/json"
        if content is not None:
            h["Content-Type"] = "application/json"
        if extra_parameters and self._kind.extra_parameters:
            h["extra-parameters"] = ExtraParameters.PASS_THROUGH.value
        h["x-ms-client-request-id"] = _request_id()
        h.update(self._headers)
        if headers:
            h.update(headers)
        request.content = content
        return request, options

    def _body(self, head: Dict[str, Any], call: Dict[str, Any],
              model_extras: Optional[Dict[str, Any]]) -> Tuple[bytes, bool]:
        """The JSON body: ``head``, then each setting (the call's, else the client's),
        then the model extras; keys whose value is None are left out."""
        body = dict(head)
        for name in self._SETTINGS:
            value = call.pop(name, None)
            body[name] = self._defaults[name] if value is None else value
        unknown = [name for name in call if name not in _OPTION_NAMES and name not in _PER_CALL]
        if unknown:  # a parameter of the model's own: model_extras sends it (its value is shown if a number)
            value = call[unknown[0]]
            shown = json.dumps(value) if value is None or isinstance(value, (int, float, bool)) else "..."
            raise TypeError("unexpected keyword argument {!r}: to send it in the request body, pass "
                            "model_extras={{\"{}\": {}}}".format(unknown[0], unknown[0], shown))
        extras = model_extras or self._model_extras
        if extras:
            if not isinstance(extras, Mapping):
                raise TypeError("model_extras must be a dict, not {}".format(type(extras).__name__))
            body.update(extras)
        if self._kind.model_required and body.get("model") is None:
            raise ValueError("{} endpoints need the deployment to use: pass model=<deployment name> to the "
                             "client or to the call".format(self._kind.name))
        return _dumps({k: v for k, v in body.items() if v is not None}), bool(extras)

    # -- operations ------------------------------------------------------------
    def _call(self, method: str, path: str, content: Any, call: Dict[str, Any], extra: bool = False) -> Any:
        request, options = self._request(method, path, content, call, extra)
        response = yield from _send(self._pool, request, options, self._auth, self._auth_origin)
        return response, options

    @staticmethod
    def _json_of(response: _ResponseBase) -> Any:
        """The decoded JSON object of a successful response; else the error it is."""
        try:
            data = yield from response._read_all()
        except ServiceResponseError:
            if 200 <= response.status_code < 300:
                raise
            data = b""  # the status still says what went wrong
        if not 200 <= response.status_code < 300:
            raise _status_error(response)
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError):
            raise DecodeError("the response body is not valid JSON (Content-Type: {})".format(
                response.content_type), response=response) from None
        if not isinstance(obj, dict):
            raise DecodeError("the response body is JSON but not an object", response=response)
        return obj

    def _model_info_op(self, call: Dict[str, Any]) -> Any:
        """The model behind the endpoint, asked once per client: ``GET /info``, or on endpoints
        without that route the client's ``model`` in the model list (``GET /models``)."""
        if self._model_info is None and not self._kind.info_route:
            response, _ = yield from self._call("GET", "/models", None, call)
            self._model_info = self._listed_model((yield from self._json_of(response)).get("data"))
        if self._model_info is None:
            try:
                response, _ = yield from self._call("GET", "/info", None, call)
                self._model_info = ModelInfo._from_json((yield from self._json_of(response)))
            except ResourceNotFoundError as exc:
                exc.message = ("Model information is not available on this endpoint (`/info` route not "
                               "supported).\n" + exc.message)
                exc.args = (exc.message,)
                raise
        return self._model_info

    def _listed_model(self, listing: Any) -> ModelInfo:
        """The entry of a model list whose id is the client's model (or the only one)."""
        entries: List[Mapping[str, Any]] = [e for e in listing if isinstance(e, Mapping)] \
            if isinstance(listing, list) else []
        ids = [e.get("id") for e in entries]
        wanted = self._defaults.get("model")
        if (wanted is None and len(ids) != 1) or (wanted is not None and wanted not in ids):
            offered = ", ".join(map(str, ids[:10])) + (", ..." if len(ids) > 10 else "") or "none"
            raise ResourceNotFoundError("{}; the endpoint lists: {}".format(
                "no model was given to the client" if wanted is None else "model {!r} is not listed".format(wanted),
                offered))
        entry = entries[ids.index(wanted) if wanted is not None else 0]
        return ModelInfo(model_name=entry.get("id"), model_provider_name=entry.get("owned_by"))

    def _send_request_op(self, request: HttpRequest, stream: bool, call: Dict[str, Any]) -> Any:
        """Any request with this client's auth and headers (not ``Accept``); a relative URL is
        taken from the endpoint; unless ``stream`` is true the body is read."""
        url = request.url
        if not urlsplit(url).scheme:
            url = self._base + "/" + url.lstrip("/")
        options = self._options.updated(_pop_options(call))
        if call:
            raise TypeError("unexpected keyword argument {!r}".format(next(iter(call))))
        outgoing = HttpRequest(request.method, url, headers=self._headers)
        outgoing.headers.setdefault("User-Agent", self._user_agent)
        outgoing.headers.update(request.headers)
        outgoing.content = request.content
        response = yield from _send(self._pool, outgoing, options, self._auth, self._auth_origin)
        if not stream:
            yield from response._read_all()
        return response

    def _run(self, operation: Any) -> Any:
        """Carries out an operation's steps with this client's shell (for the async clients: an awaitable)."""
        return self._SHELL.run(operation)

    # -- the blocking surface ----------------------------------------------------
    def get_model_info(self, **kwargs: Any) -> ModelInfo:
        """The model behind the endpoint (``GET /info``, or the model list), asked once per client."""
        result: ModelInfo = self._run(self._model_info_op(kwargs))
        return result

    def send_request(self, request: HttpRequest, *, stream: bool = False, **kwargs: Any) -> HttpResponse:
        """Send any request with this client's auth and headers (not ``Accept``).

        A relative URL is taken from the endpoint.  Unless ``stream`` is true the
        body is read before this returns.
        """
        result: HttpResponse = self._run(self._send_request_op(request, stream, kwargs))
        return result

    def close(self) -> None:
        self._pool.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<{} endpoint={!r}>".format(type(self).__name__, self._base)

    def __str__(self) -> str:
        text = repr(self)
        return text + "\n{}".format(self._model_info) if self._model_info else text


class _ChatClient(_Client):
    """The chat client's settings and its operation (the sync and async classes add ``complete``)."""

    _SETTINGS = _CHAT_SETTINGS

    def __init__(self, endpoint: str, credential: Any, *, frequency_penalty: Optional[float] = None,
                 presence_penalty: Optional[float] = None, temperature: Optional[float] = None,
                 top_p: Optional[float] = None, max_tokens: Optional[int] = None,
                 response_format: Any = None, stop: Optional[List[str]] = None,
                 tools: Optional[List[ChatCompletionsToolDefinition]] = None, tool_choice: Any = None,
                 seed: Optional[int] = None, model: Optional[str] = None,
                 model_extras: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        super().__init__(endpoint, credential, frequency_penalty=frequency_penalty,
                         presence_penalty=presence_penalty, temperature=temperature, top_p=top_p,
                         max_tokens=max_tokens, response_format=response_format, stop=stop, tools=tools,
                         tool_choice=tool_choice, seed=seed, model=model, model_extras=model_extras, **kwargs)

    def _complete_op(self, body: Any, call: Dict[str, Any]) -> Any:
        messages, stream = call.pop("messages", _UNSET), call.pop("stream", None)
        model_extras = call.pop("model_extras", None)
        if "response_format" in call:
            call["response_format"] = _response_format(call["response_format"])
        if body is not _UNSET:
            if messages is not _UNSET or stream is not None or model_extras or any(
                    call.get(name) is not None for name in _CHAT_SETTINGS):
                raise TypeError("complete() takes either body or messages and settings, not both")
            for name in _CHAT_SETTINGS:
                call.pop(name, None)
            stream = isinstance(body, Mapping) and body.get("stream") is True
            content, extra = (_dumps(body) if isinstance(body, Mapping) else body), False
        else:
            if messages is _UNSET:
                raise TypeError("complete() missing required argument: 'messages'")
            _check_list(messages, "messages", (Model, Mapping), "a chat message or a dict")
            for i, message in enumerate(messages):
                if "role" not in message:  # any model or mapping with a role is a message, as it came
                    raise TypeError("messages[{}] has no role: a message is a chat message model or a mapping "
                                    "with a 'role'".format(i))
            if call.get("tools") is not None:
                _check_list(call["tools"], "tools", (ChatCompletionsToolDefinition, Mapping),
                            "a tool definition or a dict")
            content, extra = self._body({"messages": messages, "stream": stream}, call, model_extras)
        response, options = yield from self._call("POST", "/chat/completions", content, call, extra)
        if stream:
            if not 200 <= response.status_code < 300:
                yield from self._json_of(response)  # raises the error the status is
            return self._STREAM(response, max_sse_line_bytes=options.max_sse_line_bytes,
                                max_sse_event_bytes=options.max_sse_event_bytes)
        return ChatCompletions._from_json((yield from self._json_of(response)))


class ChatCompletionsClient(_ChatClient):
    """Chat completions: ``complete(messages=[...])``.

    Every setting given here (temperature, model, tools, ...) is a default
    that ``complete()`` can override; ``None`` means "not sent".
    """

    def complete(self, body: Any = _UNSET, *, messages: Any = _UNSET, stream: Optional[bool] = None,
                 frequency_penalty: Optional[float] = None, presence_penalty: Optional[float] = None,
                 temperature: Optional[float] = None, top_p: Optional[float] = None,
                 max_tokens: Optional[int] = None, response_format: Any = None, stop: Optional[List[str]] = None,
                 tools: Optional[List[ChatCompletionsToolDefinition]] = None, tool_choice: Any = None,
                 seed: Optional[int] = None, model: Optional[str] = None,
                 model_extras: Optional[Dict[str, Any]] = None,
                 **kwargs: Any) -> Any:
        """Chat completions for ``messages``: a ChatCompletions, or with ``stream=True``
        a StreamingChatCompletions.

        ``body`` (a dict, bytes or a file) is sent as it is instead, ignoring the
        client's settings; ``body["stream"] is True`` makes it a streaming call.
        Per call: ``headers``, ``params``, and the transport settings.
        """
        return self._run(self._complete_op(body, dict(
            kwargs, messages=messages, stream=stream, frequency_penalty=frequency_penalty,
            presence_penalty=presence_penalty, temperature=temperature, top_p=top_p, max_tokens=max_tokens,
            response_format=response_format, stop=stop, tools=tools, tool_choice=tool_choice, seed=seed,
            model=model, model_extras=model_extras)))


_IMAGE_EMBEDDINGS = ("/images/embeddings", ((ImageEmbeddingInput, Mapping), "an ImageEmbeddingInput or a dict"))


class _EmbeddingsClient(_Client):
    """The embeddings clients' settings and their operation (the sync and async classes add ``embed``)."""

    _SETTINGS = _EMBED_SETTINGS
    _PATH: ClassVar[str] = "/embeddings"
    _INPUT: ClassVar[Tuple[Tuple[type, ...], str]] = ((str,), "a str")

    def __init__(self, endpoint: str, credential: Any, *, dimensions: Optional[int] = None,
                 encoding_format: Union[str, EmbeddingEncodingFormat, None] = None,
                 input_type: Union[str, EmbeddingInputType, None] = None, model: Optional[str] = None,
                 model_extras: Optional[Dict[str, Any]] = None, **kwargs: Any) -> None:
        super().__init__(endpoint, credential, dimensions=dimensions, encoding_format=encoding_format,
                         input_type=input_type, model=model, model_extras=model_extras, **kwargs)

    def _embed_op(self, body: Any, call: Dict[str, Any]) -> Any:
        input_, model_extras = call.pop("input", _UNSET), call.pop("model_extras", None)
        if body is not _UNSET:
            if input_ is not _UNSET or model_extras or any(call.get(n) is not None for n in _EMBED_SETTINGS):
                raise TypeError("embed() takes either body or input and settings, not both")
            for name in _EMBED_SETTINGS:
                call.pop(name, None)
            content, extra = (_dumps(body) if isinstance(body, Mapping) else body), False
        else:
            if input_ is _UNSET:
                raise TypeError("embed() missing required argument: 'input'")
            _check_list(input_, "input", *self._INPUT)
            content, extra = self._body({"input": input_}, call, model_extras)
        response, _ = yield from self._call("POST", self._PATH, content, call, extra)
        return EmbeddingsResult._from_json((yield from self._json_of(response)))

    def embed(self, body: Any = _UNSET, *, input: Any = _UNSET, dimensions: Optional[int] = None,
              encoding_format: Union[str, EmbeddingEncodingFormat, None] = None,
              input_type: Union[str, EmbeddingInputType, None] = None, model: Optional[str] = None,
              model_extras: Optional[Dict[str, Any]] = None, **kwargs: Any) -> EmbeddingsResult:
        """Embeddings for ``input`` (or for a whole ``body`` sent as it is)."""
        result: EmbeddingsResult = self._run(self._embed_op(body, dict(
            kwargs, input=input, dimensions=dimensions, encoding_format=encoding_format, input_type=input_type,
            model=model, model_extras=model_extras)))
        return result


class EmbeddingsClient(_EmbeddingsClient):
    """Text embeddings: ``embed(input=["text", ...])``."""


class ImageEmbeddingsClient(_EmbeddingsClient):
    """Image embeddings: ``embed(input=[ImageEmbeddingInput.load(...), ...])`` (not an
    EmbeddingsClient, as in the SDK: the two share a base)."""

    _PATH, _INPUT = _IMAGE_EMBEDDINGS


_CLIENT_FOR_MODEL_TYPE: Dict[str, Type[_Client]] = {}
for _names, _cls in (
        (("chat_completion", "chat_completions", "chat", "completion", "completions"), ChatCompletionsClient),
        (("embeddings", "embedding", "text_embedding", "text_embeddings"), EmbeddingsClient),
        (("image_embeddings", "image_embedding"), ImageEmbeddingsClient)):
    _CLIENT_FOR_MODEL_TYPE.update(dict.fromkeys(_names, _cls))


def _client_class(model_info: ModelInfo) -> Type[_Client]:
    model_type = model_info.model_type
    if not model_type:
        raise ValueError("The AI model information is missing a value for `model type`. "
                         "Cannot create an appropriate client.")
    key = re.sub(r"[-\s]+", "_", str(getattr(model_type, "value", model_type)).strip().lower())
    cls = _CLIENT_FOR_MODEL_TYPE.get(key)
    if cls is None:
        raise ValueError("No client available to support AI model type `{}`".format(
            getattr(model_type, "value", model_type)))
    return cls


def _check_info_route(endpoint: str) -> None:
    kind = _endpoint_kind(endpoint) if isinstance(endpoint, str) else _ENDPOINT_KINDS[-1]
    if not kind.info_route:
        raise ValueError("load_client needs the endpoint's /info route, which {} endpoints do not have: "
                         "construct ChatCompletionsClient (or EmbeddingsClient) directly".format(kind.name))


def _load_client_message(exc: ResourceNotFoundError) -> None:
    exc.message = ("`load_client` function does not work on this endpoint (`/info` route not supported). "
                   "Please construct one of the clients (e.g. `ChatCompletionsClient`) directly.")
    exc.args = (exc.message,)


def load_client(endpoint: str, credential: Any, **kwargs: Any) -> Any:
    """The client for the endpoint's model type, asked from ``GET /info``.

    Keyword arguments go to the client's constructor; the model info is
    cached on the returned client.
    """
    _check_info_route(endpoint)
    with ChatCompletionsClient(endpoint, credential, **kwargs) as probe:
        try:
            info = probe.get_model_info()
        except ResourceNotFoundError as exc:
            _load_client_message(exc)
            raise
    client = _client_class(info)(endpoint, credential, **kwargs)
    client._model_info = info
    return client


# =============================================================================
# Async clients: the same operations, carried out on the event loop
# =============================================================================

class _AsyncClient(_Client):
    """A client whose operations run on the event loop, through the asyncio shell."""

    _SHELL = _ASYNCIO
    _STREAM = AsyncStreamingChatCompletions

    async def get_model_info(self, **kwargs: Any) -> ModelInfo:  # type: ignore[override]
        result: ModelInfo = await self._run(self._model_info_op(kwargs))
        return result

    async def send_request(self, request: HttpRequest, *, stream: bool = False,  # type: ignore[override]
                           **kwargs: Any) -> AsyncHttpResponse:
        """As the sync client's; the response has ``await read()`` and ``async for ... in iter_bytes()``."""
        result: AsyncHttpResponse = await self._run(self._send_request_op(request, stream, kwargs))
        return result

    async def close(self) -> None:  # type: ignore[override]
        self._pool.close()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class AsyncChatCompletionsClient(_AsyncClient, _ChatClient):
    """``await complete(...)``: a ChatCompletions, or an AsyncStreamingChatCompletions."""

    async def complete(self, body: Any = _UNSET, **kwargs: Any) -> Any:
        return await self._run(self._complete_op(body, kwargs))


class _AsyncEmbeddingsClient(_AsyncClient, _EmbeddingsClient):
    """What the async embeddings clients share: ``await embed(...)``."""

    async def embed(self, body: Any = _UNSET, **kwargs: Any) -> EmbeddingsResult:  # type: ignore[override]
        result: EmbeddingsResult = await self._run(self._embed_op(body, kwargs))
        return result


class AsyncEmbeddingsClient(_AsyncEmbeddingsClient):
    """``await embed(input=[...])``."""


class AsyncImageEmbeddingsClient(_AsyncEmbeddingsClient):
    """``await embed(input=[ImageEmbeddingInput, ...])`` (not an AsyncEmbeddingsClient, as in the SDK)."""

    _PATH, _INPUT = _IMAGE_EMBEDDINGS


_ASYNC_FOR_SYNC: Dict[Type[_Client], Type[_AsyncClient]] = {
    ChatCompletionsClient: AsyncChatCompletionsClient, EmbeddingsClient: AsyncEmbeddingsClient,
    ImageEmbeddingsClient: AsyncImageEmbeddingsClient}


async def load_async_client(endpoint: str, credential: Any, **kwargs: Any) -> Any:
    """The async client for the endpoint's model type (see ``load_client``)."""
    _check_info_route(endpoint)
    async with AsyncChatCompletionsClient(endpoint, credential, **kwargs) as probe:
        try:
            info = await probe.get_model_info()
        except ResourceNotFoundError as exc:
            _load_client_message(exc)
            raise
    client = _ASYNC_FOR_SYNC[_client_class(info)](endpoint, credential, **kwargs)
    client._model_info = info
    return client


# =============================================================================
# Structured output: strict JSON schemas from dataclasses, answers parsed back into them
# =============================================================================
#
# A dataclass stands where openai takes a pydantic model, and its schema is, key for key and in order, the one
# openai sends for the equivalent model: pydantic's JSON schema (keys sorted, except those of "properties" and
# "default" and so those of a field named "properties" or "default", which keep pydantic's own order: the type's
# keys, default, description, title; each class once in "$defs", by name; a recursive root a "$ref"), then made
# strict as openai's to_strict_json_schema does it (every object gets additionalProperties false and all its
# properties required, a null default goes, a "$ref" with keys beside it is replaced by what it points to).
# typing is imported by these functions when they are called, never at import.

@functools.lru_cache(maxsize=None)
def _plain_types() -> Dict[Any, Tuple[JSON, str]]:
    """The types that are their own schema, with how an error names them (datetime is a date: looked up
    by exact type).  Made on first use, as datetime is not imported with the module."""
    import datetime
    return {
        str: ({"type": "string"}, "a string"),
        int: ({"type": "integer"}, "an integer"),
        float: ({"type": "number"}, "a number"),
        bool: ({"type": "boolean"}, "a boolean"),
        type(None): ({"type": "null"}, "null"),
        datetime.datetime: ({"type": "string", "format": "date-time"}, "an ISO 8601 date and time"),
        datetime.date: ({"type": "string", "format": "date"}, "an ISO 8601 date"),
    }
# The "type" pydantic gives an enum or a Literal whose values are all of one JSON type.
_VALUE_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", type(None): "null"}
_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", int: "an integer", float: "a number",
               bool: "a boolean", type(None): "null"}
_SUPPORTED_TYPES = ("str, int, float, bool, None, datetime, date, dataclasses, Enum, List[X], Tuple, Dict[str, X], "
                    "Optional, Union, Literal")


def _type_name(tp: Any) -> str:
    return tp.__qualname__ if isinstance(tp, type) else repr(tp).replace("typing.", "")


def _type_form(tp: Any) -> Tuple[str, Tuple[Any, ...]]:
    """What an annotation is, for the schema and the parser: a form and its type arguments.  Not cached: typing's
    forms compare equal in any order (Union[int, str] == Union[str, int]), and the order is the schema's."""
    import dataclasses
    import types
    import typing

    if tp is None or tp in _plain_types():
        return "plain", ()
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if isinstance(tp, type) and origin is None:  # (list[int] is an instance of type on Python 3.9 and 3.10)
        if issubclass(tp, Enum):
            return "enum", ()
        return ("dataclass", ()) if dataclasses.is_dataclass(tp) else ("unsupported", ())
    if origin is typing.Union or origin is getattr(types, "UnionType", typing.Union):
        return "union", args
    if origin is typing.Literal:
        return "literal", args
    if origin is list and len(args) == 1:
        return "list", args
    if origin is tuple and args and args != ((),) and (args[-1] is not ... or len(args) == 2):
        return "tuple", args
    if origin is dict and len(args) == 2 and args[0] is str:
        return "dict", args
    return "unsupported", ()


def _unsupported(tp: Any, where: str) -> TypeError:
    return TypeError("{}: {} has no strict JSON schema (supported: {})".format(where, _type_name(tp), _SUPPORTED_TYPES))


def _jsonable(value: Any) -> Any:
    """A default value as pydantic writes it into a schema."""
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, Model):
        return value._data
    dataclasses, datetime = sys.modules.get("dataclasses"), sys.modules.get("datetime")  # (no instance before)
    if dataclasses is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if datetime is not None and isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


def _doc_description(obj: Any) -> Optional[str]:
    """The docstring, as pydantic makes it a description: never the one @dataclass writes, nor Enum's."""
    import inspect

    doc = obj.__doc__
    if not doc or doc == "An enumeration." or doc.startswith(obj.__name__ + "("):
        return None
    return inspect.cleandoc(doc)


if TYPE_CHECKING:  # a field: (name, annotation, the default a schema shows or MISSING, description, may be left out)
    _FieldSpec = Tuple[str, Any, Any, Optional[str], bool]


@functools.lru_cache(maxsize=256)
def _fields_of(obj: Any) -> Tuple[_FieldSpec, ...]:
    """The fields of a dataclass (those its __init__ takes) or the parameters of a typed function."""
    import dataclasses
    import inspect
    import typing

    try:
        hints = typing.get_type_hints(obj)
    except Exception as exc:  # NameError for a name not found, TypeError and others for a bad annotation
        raise TypeError("{}: cannot resolve its annotations: {}".format(_type_name(obj), exc)) from None
    if sys.version_info < (3, 9):  # 3.8 leaves the forward references inside a string unresolved: "List['Node']"
        namespace = getattr(obj, "__globals__", None) or vars(sys.modules[obj.__module__])
        hints = {key: typing._eval_type(hint, namespace, None) for key, hint in hints.items()}  # type: ignore
    if isinstance(obj, type) and dataclasses.is_dataclass(obj):
        return tuple(
            (f.name, hints[f.name], f.default, f.metadata.get("description"),
             f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING)
            for f in dataclasses.fields(obj) if f.init)
    fields = []
    for p in inspect.signature(obj).parameters.values():
        where = "{}({})".format(obj.__name__, p.name)
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise TypeError("{}: a tool's arguments are named: no *args, **kwargs or positional-only".format(where))
        if p.name not in hints:
            raise TypeError("{}: the parameter has no annotation".format(where))
        default = dataclasses.MISSING if p.default is p.empty else p.default
        fields.append((p.name, hints[p.name], default, None, p.default is not p.empty))
    return tuple(fields)


class _SchemaDefs:
    """The "$defs" of one schema being built: each class once, under its name."""

    def __init__(self) -> None:
        self.defs: Dict[str, JSON] = {}
        self.classes: Dict[str, Any] = {}

    def claim(self, cls: Any, where: str) -> str:
        name: str = cls.__name__
        known = self.classes.setdefault(name, cls)
        if known is not cls:
            raise TypeError("{}: two classes named {} ({}.{} and {}.{}) would be one entry in $defs; rename one"
                            .format(where, name, known.__module__, known.__qualname__, cls.__module__,
                                    cls.__qualname__))
        return name


def _object_schema(obj: Any, defs: _SchemaDefs) -> JSON:
    """pydantic's schema of a model whose fields are the dataclass's (or the function's parameters)."""
    import dataclasses
    properties: JSON = {}
    required: List[str] = []
    for name, tp, default, description, optional in _fields_of(obj):
        prop = dict(_schema(tp, defs, "{}.{}".format(obj.__name__, name)))
        if not optional:
            required.append(name)
        if default is not dataclasses.MISSING:
            prop["default"] = _jsonable(default)
        if description is not None:
            prop["description"] = description
        if _titled(tp):
            prop["title"] = name.title().replace("_", " ").strip()
        properties[name] = prop
    schema: JSON = {"properties": properties, "title": obj.__name__, "type": "object"}
    if required:
        schema["required"] = required
    description = _doc_description(obj) if isinstance(obj, type) else None
    if description:
        schema["description"] = description
    return schema


def _enum_schema(cls: Any, defs: _SchemaDefs) -> JSON:
    values = [_jsonable(member.value) for member in cls]
    schema: JSON = {"enum": values, "title": cls.__name__}
    description = _doc_description(cls)
    if description:
        schema["description"] = description
    kinds = {type(v) for v in values}
    if len(kinds) == 1 and kinds <= _VALUE_TYPES.keys() - {type(None)}:
        schema["type"] = _VALUE_TYPES[kinds.pop()]
    return schema


def _titled(tp: Any) -> bool:
    """Whether pydantic titles a field of this type after its name: not when the type is a class (or an Optional
    one), which has a title of its own."""
    form, args = _type_form(tp)
    if form == "union" and len(args) == 2 and type(None) in args:
        return _titled(args[args[0] is type(None)])
    return form not in ("dataclass", "enum")


def _any_of(schemas: List[JSON]) -> JSON:
    members: List[JSON] = []
    for schema in schemas:
        for member in schema["anyOf"] if list(schema) == ["anyOf"] else [schema]:
            if member not in members:
                members.append(member)
    return members[0] if len(members) == 1 else {"anyOf": members}


def _class_schema(tp: Any, args: Tuple[Any, ...], defs: _SchemaDefs, where: str) -> JSON:
    name = defs.claim(tp, where)
    if name not in defs.defs:
        defs.defs[name] = {}  # stands in while the class is built, for a class that contains itself
        defs.defs[name] = (_enum_schema if issubclass(tp, Enum) else _object_schema)(tp, defs)
    return {"$ref": "#/$defs/" + name}


def _union_schema(tp: Any, args: Tuple[Any, ...], defs: _SchemaDefs, where: str) -> JSON:
    members = [a for a in args if a is not type(None)]
    schema = _any_of([_schema(a, defs, where) for a in members])
    return _any_of([schema, {"type": "null"}]) if len(members) < len(args) else schema


def _literal_schema(tp: Any, args: Tuple[Any, ...], defs: _SchemaDefs, where: str) -> JSON:
    values = [_jsonable(a) for a in args]
    schema: JSON = {"const": values[0]} if len(values) == 1 else {"enum": values}
    kinds = {type(v) for v in values}
    if len(kinds) == 1 and kinds <= _VALUE_TYPES.keys():
        schema["type"] = _VALUE_TYPES[kinds.pop()]
    return schema


def _tuple_schema(tp: Any, args: Tuple[Any, ...], defs: _SchemaDefs, where: str) -> JSON:
    if args[-1] is ...:
        return {"type": "array", "items": _schema(args[0], defs, where)}
    return {"type": "array", "prefixItems": [_schema(a, defs, where) for a in args], "minItems": len(args),
            "maxItems": len(args)}


def _refuse_schema(tp: Any, args: Tuple[Any, ...], defs: _SchemaDefs, where: str) -> JSON:
    raise _unsupported(tp, where)


_SCHEMA_OF: Dict[str, Callable[[Any, Tuple[Any, ...], _SchemaDefs, str], JSON]] = {
    "plain": lambda tp, args, defs, where: _plain_types()[type(None) if tp is None else tp][0],
    "enum": _class_schema,
    "dataclass": _class_schema,
    "union": _union_schema,
    "literal": _literal_schema,
    "list": lambda tp, args, defs, where: {"type": "array", "items": _schema(args[0], defs, where)},
    "tuple": _tuple_schema,
    "dict": lambda tp, args, defs, where: {"type": "object", "additionalProperties": _schema(args[1], defs, where)},
    "unsupported": _refuse_schema,
}


def _schema(tp: Any, defs: _SchemaDefs, where: str) -> JSON:
    form, args = _type_form(tp)
    return _SCHEMA_OF[form](tp, args, defs, where)


def _pydantic_order(value: Any, parent: Optional[str] = None) -> Any:
    """The schema with pydantic's key order: sorted, except the keys of "properties" and "default"."""
    if isinstance(value, dict):
        keys = value if parent in ("properties", "default") else sorted(value)
        return {key: _pydantic_order(value[key], key) for key in keys}
    if isinstance(value, list):
        return [_pydantic_order(v, parent) for v in value]
    return value


def _make_strict(schema: JSON, root: JSON) -> JSON:
    """What openai's strict conversion does to a pydantic schema, in place and in the same order."""
    for definition in schema.get("$defs", {}).values():
        _make_strict(definition, root)
    if schema.get("type") == "object":
        schema.setdefault("additionalProperties", False)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        schema["required"] = list(properties)
        schema["properties"] = {key: _make_strict(value, root) for key, value in properties.items()}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _make_strict(schema["items"], root)
    if isinstance(schema.get("anyOf"), list):
        schema["anyOf"] = [_make_strict(member, root) for member in schema["anyOf"]]
    if "default" in schema and schema["default"] is None:
        del schema["default"]
    if "$ref" in schema and len(schema) > 1:  # a $ref with siblings: the keys it points to join them
        target = root["$defs"][schema.pop("$ref").rpartition("/")[2]]
        for key, value in target.items():
            schema.setdefault(key, value)
        return _make_strict(schema, root)
    return schema


def _takes_fields(tp: Any) -> bool:
    """A dataclass or a function: what becomes an object schema whose properties are its fields or parameters."""
    import dataclasses
    import types

    return isinstance(tp, type) and dataclasses.is_dataclass(tp) or isinstance(tp, (types.FunctionType,
                                                                                     types.MethodType))


def _strict_schema_text(tp: Any) -> str:
    defs = _SchemaDefs()
    if _takes_fields(tp):
        if isinstance(tp, type):
            defs.claim(tp, tp.__name__)
        schema = _object_schema(tp, defs)
        if tp.__name__ in defs.defs:  # the class contains itself: pydantic's root is then a $ref to it
            schema = {"$ref": "#/$defs/" + tp.__name__}
    else:
        schema = dict(_schema(tp, defs, _type_name(tp)))
    if defs.defs:
        schema["$defs"] = defs.defs
    schema = _pydantic_order(schema)
    return json.dumps(_make_strict(schema, schema))


@functools.lru_cache(maxsize=256)
def _class_schema_text(tp: Any) -> str:
    return _strict_schema_text(tp)


def _strict_schema(tp: Any) -> JSON:
    """The strict JSON schema openai sends for the pydantic model equivalent to this dataclass (also for a typed
    function's parameters, or any type a field may have).  TypeError for what a strict schema cannot express."""
    # Cached per class or function (a typing form is not: see _type_form); a new copy each time, to change at will.
    result: JSON = json.loads((_class_schema_text if _takes_fields(tp) else _strict_schema_text)(tp))
    return result


def _response_format_for(tp: Any) -> JSON:
    """The response_format openai sends for a model class: the strict schema, named after the class."""
    import dataclasses
    if not (isinstance(tp, type) and dataclasses.is_dataclass(tp)):
        raise TypeError("response_format: expected a dataclass (or a dict), got {}".format(_type_name(tp)))
    return {"type": "json_schema", "json_schema": {"schema": _strict_schema(tp), "name": tp.__name__, "strict": True}}


# ---- answers parsed back: JSON values into instances --------------------------

def _mismatch(where: str, expected: str, value: Any) -> ValueError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ValueError("{}: expected {}, got {} {}".format(where, expected, _JSON_KINDS.get(type(value), "a value"),
                                                          shown))


def _parse_plain(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    tp = type(None) if tp is None else tp
    if type(value) is tp or tp is float and type(value) is int:
        return tp(value) if tp is float else value
    import datetime
    if tp in (datetime.datetime, datetime.date) and isinstance(value, str):
        try:  # a trailing Z: fromisoformat takes it only from Python 3.11
            return tp.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "Zz" and len(value) > 10 else value)
        except ValueError:
            pass
    raise _mismatch(where, _plain_types()[tp][1], value)


def _parse_enum(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    for member in tp:
        if type(member.value) is type(value) and member.value == value:
            return member
    raise _mismatch(where, "one of {} ({})".format([m.value for m in tp], tp.__name__), value)


def _parse_dataclass(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _mismatch(where, "an object ({})".format(tp.__name__), value)
    return tp(**_parse_fields(tp, value, where))


def _parse_fields(obj: Any, value: JSON, where: str) -> JSON:
    """The fields (or arguments) of obj, from an object's keys; keys it does not have are left out, as pydantic
    ignores them."""
    kwargs = {}
    for name, tp, _, _, optional in _fields_of(obj):
        if name in value:
            kwargs[name] = _parse_as(tp, value[name], "{}.{}".format(where, name))
        elif not optional:
            raise ValueError("{}.{}: missing (expected {})".format(where, name, _type_name(tp)))
    return kwargs


def _parse_union(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    if value is None and type(None) in args:
        return None
    members = [a for a in args if a is not type(None)]
    if len(members) == 1:  # Optional[X]: X's own error
        return _parse_as(members[0], value, where)
    errors = []
    for member in members:  # in order: the first that takes the value
        try:
            return _parse_as(member, value, where)
        except ValueError as exc:
            errors.append(str(exc))
    raise ValueError("{}: matches none of {} ({})".format(
        where, ", ".join(_type_name(a) for a in members), "; ".join(errors)))


def _parse_literal(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    for allowed in args:
        plain = allowed.value if isinstance(allowed, Enum) else allowed
        if type(plain) is type(value) and plain == value:
            return allowed
    raise _mismatch(where, "one of {}".format([_jsonable(a) for a in args]), value)


def _parse_list(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    if not isinstance(value, list):
        raise _mismatch(where, "an array", value)
    return [_parse_as(args[0], item, "{}[{}]".format(where, i)) for i, item in enumerate(value)]


def _parse_tuple(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    if args[-1] is ...:
        return tuple(_parse_list(tp, args[:1], value, where))
    if not isinstance(value, list) or len(value) != len(args):
        raise _mismatch(where, "an array of {}".format(len(args)), value)
    return tuple(_parse_as(a, item, "{}[{}]".format(where, i)) for i, (a, item) in enumerate(zip(args, value)))


def _parse_dict(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _mismatch(where, "an object", value)
    return {key: _parse_as(args[1], item, "{}[{!r}]".format(where, key)) for key, item in value.items()}


def _refuse_parse(tp: Any, args: Tuple[Any, ...], value: Any, where: str) -> Any:
    raise _unsupported(tp, where)


_PARSE_AS: Dict[str, Callable[[Any, Tuple[Any, ...], Any, str], Any]] = {
    "plain": _parse_plain, "enum": _parse_enum, "dataclass": _parse_dataclass, "union": _parse_union,
    "literal": _parse_literal, "list": _parse_list, "tuple": _parse_tuple, "dict": _parse_dict,
    "unsupported": _refuse_parse,
}


def _parse_as(tp: Any, value: Any, where: Optional[str] = None) -> Any:
    """A JSON-decoded value as an instance of tp: nested dataclasses, enum members, lists, tuples, dicts, unions
    (the first member that takes it).  ValueError says where (``Answer.steps[2].output``) and what was expected."""
    form, args = _type_form(tp)
    return _PARSE_AS[form](tp, args, value, _type_name(tp) if where is None else where)


# ---- tools -------------------------------------------------------------------

class _FunctionTool(dict):  # type: ignore[type-arg]
    """A tool definition, the dict sent, that keeps the dataclass or function it was made from."""

    target: Any


def function_tool(obj: Any, *, name: Optional[str] = None, description: Optional[str] = None) -> JSON:
    """A strict function tool for a dataclass (as openai's ``pydantic_function_tool`` makes one for a model) or a
    typed function (its parameters as the fields, the first paragraph of its docstring as the description).  The
    calls the model makes come back with ``parsed_arguments``: an instance, or the function's keyword arguments."""
    if not _takes_fields(obj):
        raise TypeError("function_tool: expected a dataclass or a typed function, got {}".format(_type_name(obj)))
    if description is None:
        doc = obj.__doc__ if isinstance(obj, type) and _doc_description(obj) else None
        if not isinstance(obj, type) and obj.__doc__:
            import inspect

            doc = " ".join(inspect.cleandoc(obj.__doc__).split("\n\n")[0].split())
        description = doc
    function: JSON = {"name": name or obj.__name__, "strict": True, "parameters": _strict_schema(obj)}
    if description is not None:
        function["description"] = description
    tool = _FunctionTool(type="function", function=function)
    tool.target = obj
    return tool


def _parse_tool_arguments(tool: Any, arguments_json: str) -> Any:
    """A tool call's arguments: an instance of the tool's dataclass, or the keyword arguments of its function."""
    target = getattr(tool, "target", tool)
    where = target.__name__
    try:
        value = json.loads(arguments_json or "{}")  # some servers send "" for a call without arguments
    except ValueError as exc:
        raise ValueError("{}: the arguments are not JSON ({})".format(where, exc)) from None
    if isinstance(target, type):
        return _parse_as(target, value, where)
    if not isinstance(value, dict):
        raise _mismatch(where, "an object of arguments", value)
    return _parse_fields(target, value, where)


# =============================================================================
# Prompt templates: azure.ai.inference.prompts.PromptTemplate.from_string
# =============================================================================

# Compiled on first use (re caches them), not at import.
_MUSTACHE_STANDALONE = r"(?m)^[ \t]*(\{\{[#^/!][^}]*\}\})[ \t]*(?:\r?\n|\Z)"
_MUSTACHE_TAG = r"\{\{(\{)?\s*([#^/!&]?)\s*([^}]*?)\s*\}\}(?(1)\})"
_PROMPT_ROLE = r"(?im)^\s*#?\s*(assistant|function|system|user)\s*:\s*\n"


def _mustache(template: str, data: Mapping[str, Any]) -> str:
    """Render the Mustache subset prompt templates use: variables (HTML-escaped
    unless ``{{{x}}}`` or ``{{& x}}``), sections, inverted sections, comments."""
    template = re.sub(_MUSTACHE_STANDALONE, r"\1", template)  # a tag alone on its line takes the line with it
    tree: List[Any] = []
    stack: List[Tuple[str, List[Any]]] = [("", tree)]
    position = 0
    for m in re.finditer(_MUSTACHE_TAG, template):
        stack[-1][1].append(template[position:m.start()])
        position = m.end()
        sigil, name = m.group(2), m.group(3)
        if sigil in ("#", "^"):
            node: List[Any] = []
            stack[-1][1].append((sigil, name, node))
            stack.append((name, node))
        elif sigil == "/":
            if len(stack) == 1 or stack[-1][0] != name:
                raise ValueError("prompt template: {{{{/{}}}}} closes no open section".format(name))
            stack.pop()
        elif sigil != "!":
            stack[-1][1].append(("&" if sigil == "&" or m.group(1) else "", name, None))
    if len(stack) > 1:
        raise ValueError("prompt template: section {{{{#{}}}}} is never closed".format(stack[-1][0]))
    tree.append(template[position:])

    def lookup(name: str, scopes: List[Any]) -> Any:
        if name == ".":
            return scopes[-1]
        first, *rest = name.split(".")
        for scope in reversed(scopes):
            if isinstance(scope, Mapping) and first in scope:
                value = scope[first]
                break
        else:
            return None
        for part in rest:
            value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        return value

    def render(nodes: List[Any], scopes: List[Any]) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
                continue
            kind, name, children = node
            value = lookup(name, scopes)
            if kind == "^":
                if not value:
                    out.append(render(children, scopes))
            elif kind == "#":
                if isinstance(value, (list, tuple)):
                    out.extend(render(children, scopes + [item]) for item in value)
                elif value:
                    out.append(render(children, scopes + [value]))
            elif value is not None:
                text = str(value)
                if kind != "&":
                    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
                        '"', "&quot;")
                out.append(text)
        return "".join(out)
    return render(tree, [data])


class PromptTemplate:
    """A chat prompt written as text: ``system:``/``user:``/``assistant:`` lines
    start messages, ``{{name}}`` and ``{{#list}}...{{/list}}`` fill it in."""

    def __init__(self, *, api: str = "chat", prompt_template: Optional[str] = None,
                 model_name: Optional[str] = None, **kwargs: Any) -> None:
        if prompt_template is None or kwargs:
            raise ValueError("PromptTemplate needs prompt_template (prompty files are not supported: "
                             "their YAML front matter needs a YAML parser)")
        self.api = api
        self.model_name = model_name
        self.parameters: Dict[str, Any] = {}
        self.prompt_template = prompt_template

    @classmethod
    def from_string(cls, prompt_template: str, api: str = "chat", model_name: Optional[str] = None) -> PromptTemplate:
        return cls(api=api, prompt_template=prompt_template, model_name=model_name)

    def create_messages(self, data: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> List[Dict[str, Any]]:
        """The messages of the template filled in with ``data`` (or the keyword arguments)."""
        import textwrap
        text = textwrap.dedent(self.prompt_template.lstrip("\r\n"))
        parts = [p for p in re.split(_PROMPT_ROLE, _mustache(text, kwargs if data is None else data)) if p.strip()]
        if not parts:
            return []
        if parts[0].strip().lower() not in ("assistant", "function", "system", "user"):
            parts.insert(0, "system")
        if len(parts) % 2:
            parts.pop()  # a role line with nothing after it
        return [{"role": parts[i].strip().lower(), "content": parts[i + 1].strip()} for i in range(0, len(parts), 2)]


# =============================================================================
# The openai face: OpenAI, AzureOpenAI and their async twins
# =============================================================================
# The surface of the ``openai`` package (3.57) over the same transport, plan, SSE parser, stream
# accumulator, credentials and models: ``import chatclient as openai`` works for it.

class NotGiven:
    """openai's marker for "not given" (``NOT_GIVEN``): the parameter is not sent."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


class Omit:
    """openai's ``omit``: the parameter (or a default header) is left out."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "omit"


NOT_GIVEN = not_given = NotGiven()
omit = Omit()


def _given(value: Any) -> bool:
    return not isinstance(value, (NotGiven, Omit))


# ---- errors: openai's names and hierarchy -------------------------------------

class OpenAIError(Exception):
    """Base of the openai face's errors."""


class APIError(OpenAIError):
    """An error about a request: ``message``, ``request``, ``body`` (the decoded error, if any),
    ``code``, ``param``, ``type``."""

    def __init__(self, message: str, request: Any, *, body: Any) -> None:
        super().__init__(message)
        self.message, self.request, self.body = message, request, body
        if isinstance(body, Mapping):
            code = body.get("code")
            self.code: Optional[str] = None if code is None else str(code)
            param, kind = body.get("param"), body.get("type")
            self.param: Optional[str] = param if isinstance(param, str) else None
            self.type: Optional[str] = kind if isinstance(kind, str) else None
        else:
            self.code = self.param = self.type = None


class APIStatusError(APIError):
    """The server answered with an error status: ``status_code``, ``response``, ``request_id``."""

    def __init__(self, message: str, *, response: Any, body: Any) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code: int = response.status_code
        self.request_id: Optional[str] = response.headers.get("x-request-id")


class APIConnectionError(APIError):
    """Nothing usable was received: the connection failed or broke."""

    def __init__(self, *, message: str = "Connection error.", request: Any) -> None:
        super().__init__(message, request, body=None)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, request: Any) -> None:
        super().__init__(message="Request timed out.", request=request)


class APIResponseValidationError(APIError):
    """A successful answer whose body is not what was expected."""

    def __init__(self, response: Any, body: Any, *, message: Optional[str] = None) -> None:
        super().__init__(message or "Data returned by API invalid for expected schema.", response.request, body=body)
        self.response = response
        self.status_code = response.status_code


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429."""


class InternalServerError(APIStatusError):
    """500 and above."""


def _model_repr(value: Any) -> str:
    """A response object as pydantic shows one (in openai's messages): ``Name(field=value, ...)``."""
    if isinstance(value, BaseModel):
        names = value._names + tuple(key for key in value._data if key not in value._names)
        return "{}({})".format(type(value).__name__, ", ".join(
            "{}={}".format(name, _model_repr(getattr(value, name, None))) for name in names))
    if isinstance(value, list):
        return "[{}]".format(", ".join(map(_model_repr, value)))
    return repr(value)


class LengthFinishReasonError(OpenAIError):
    """A parsed completion was cut at the length limit."""

    def __init__(self, *, completion: Any) -> None:
        message = "Could not parse response content as the length limit was reached"
        usage = getattr(completion, "usage", None)
        super().__init__(message + (" - " + _model_repr(usage) if usage else ""))
        self.completion = completion


class ContentFilterFinishReasonError(OpenAIError):
    """A parsed completion was stopped by the content filter."""

    def __init__(self, *, completion: Any = None) -> None:
        super().__init__("Could not parse response content as the request was rejected by the content filter")
        self.completion = completion


_OPENAI_ERROR_BY_STATUS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError, 404: NotFoundError,
    409: ConflictError, 422: UnprocessableEntityError, 429: RateLimitError,
}


def _api_status_error(response: Any, data: bytes) -> APIStatusError:
    """openai's error for an error status, from the body read: ``Error code: N`` (`` - message``)."""
    message = "Error code: {}".format(response.status_code)
    text = data.decode("utf-8", "replace").strip()
    body: Any = text
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        error = body.get("error", body) if isinstance(body, Mapping) else None
        said = error.get("message") if isinstance(error, Mapping) else None
        if isinstance(said, str) and said:
            message += " - " + said
    if isinstance(body, Mapping):
        body = body.get("error", body)
    status = response.status_code
    cls = _OPENAI_ERROR_BY_STATUS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls(message, response=response, body=body)


def _timed_out(exc: BaseException) -> bool:
    inner = getattr(exc, "inner_exception", None)
    return isinstance(inner, socket.timeout) or type(inner).__name__ == "TimeoutError" or \
        "in time" in str(exc) or "timed out" in str(exc)


def _openai_error(exc: BaseException, request: Any) -> BaseException:
    """The openai face's error for one of chatclient's (the one place they are mapped)."""
    if not isinstance(exc, AzureError):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(exc, HttpResponseError) and response is not None and response.status_code >= 300 and \
            not isinstance(exc, DecodeError):
        return _api_status_error(response, _body_read(response))
    if isinstance(exc, HttpResponseError):
        return APIError(exc.message, getattr(response, "request", request), body=None)
    if _timed_out(exc):
        return APITimeoutError(request)
    return APIConnectionError(message="Connection error: {}".format(exc.message), request=request)


# ---- responses: openai's types, each a chatclient model (a model is its JSON) ----

class BaseModel(Model):
    """Base of openai's response types: every key the server sent reads as an attribute (a
    missing declared field reads None); ``model_dump()``, ``model_dump_json()``, ``to_dict()``,
    ``to_json()`` as openai's; ``_request_id`` is the response's ``x-request-id``."""

    _request_id: Optional[str] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and (len(args) > 1 or kwargs or not isinstance(args[0], Mapping)):
            raise TypeError("{}() takes keyword arguments or one mapping".format(type(self).__name__))
        self.__dict__["_data"] = _to_json(dict(args[0]) if args else kwargs)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            data = self.__dict__.get("_data")
            if data is not None and name in data:
                return data[name]
        raise AttributeError("{!r} object has no attribute {!r}".format(type(self).__name__, name))

    @classmethod
    def model_validate(cls: Type[M], obj: Any, **kwargs: Any) -> M:
        return cls(obj)

    @classmethod
    def construct(cls: Type[M], **values: Any) -> M:
        return cls(values)

    model_construct = construct

    def model_copy(self: M, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False) -> M:
        data = _to_json(self._data)
        data.update(_to_json(dict(update or {})))
        return type(self)._from_json(data)

    def model_dump(self, *, mode: str = "python", include: Any = None, exclude: Any = None, by_alias: bool = False,
                   exclude_unset: bool = False, exclude_defaults: bool = False, exclude_none: bool = False,
                   round_trip: bool = False, warnings: Any = True, **kwargs: Any) -> Dict[str, Any]:
        """Declared fields (None where absent), then the keys the server added; ``exclude_unset``:
        only what the server sent."""
        result: Dict[str, Any] = _dump(self, exclude_unset, exclude_none)
        return result

    def model_dump_json(self, *, indent: Optional[int] = None, exclude_unset: bool = False,
                        exclude_none: bool = False, **kwargs: Any) -> str:
        return json.dumps(_dump(self, exclude_unset, exclude_none), indent=indent, ensure_ascii=False,
                          separators=None if indent is not None else (",", ":"))

    def to_dict(self, *, mode: str = "python", use_api_names: bool = True, exclude_unset: bool = True,
                exclude_defaults: bool = False, exclude_none: bool = False, warnings: bool = True) -> Dict[str, Any]:
        """The server's JSON (every key it sent, nulls kept)."""
        result: Dict[str, Any] = _dump(self, exclude_unset, exclude_none)
        return result

    def to_json(self, *, indent: Optional[int] = 2, use_api_names: bool = True, exclude_unset: bool = True,
                exclude_defaults: bool = False, exclude_none: bool = False, warnings: bool = True) -> str:
        return json.dumps(_dump(self, exclude_unset, exclude_none), indent=indent, ensure_ascii=False,
                          separators=None if indent is not None else (",", ":"))


def _dump_value(value: Any, unset: bool, none: bool) -> Any:
    if isinstance(value, BaseModel):
        return _dump(value, unset, none)
    if isinstance(value, list):
        return [_dump_value(v, unset, none) for v in value]
    return _to_json(_jsonable(value))  # parsed instances (structured output) as JSON


def _dump(model: BaseModel, unset: bool, none: bool) -> Dict[str, Any]:
    data = model._data
    out: Dict[str, Any] = {}
    for name in model._names:
        if name in data or not unset:
            value = _dump_value(getattr(model, name), unset, none)
            if value is not None or not none:
                out[name] = value
    names = model._names
    for key, value in data.items():
        if key not in names and (value is not None or not none):
            out[key] = _to_json(value)
    return out


def _wire(value: Any) -> Any:
    """A request value as openai sends it: its response objects as their ``to_dict()``."""
    if isinstance(value, BaseModel):
        return value.to_dict()
    if isinstance(value, Mapping) and not isinstance(value, Model):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    return value


@_model
class CompletionTokensDetails(BaseModel):
    accepted_prediction_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None
    reasoning_tokens: Optional[int] = None
    rejected_prediction_tokens: Optional[int] = None
    text_tokens: Optional[int] = None


@_model
class PromptTokensDetails(BaseModel):
    audio_tokens: Optional[int] = None
    cache_write_tokens: Optional[int] = None
    cached_tokens: Optional[int] = None
    image_tokens: Optional[int] = None
    text_tokens: Optional[int] = None


@_model
class CompletionUsage(BaseModel):
    completion_tokens: Optional[int] = None
    prompt_tokens: Optional[int] = None
    total_tokens: Optional[int] = None
    completion_tokens_details: Optional[CompletionTokensDetails] = _typed(CompletionTokensDetails)
    prompt_tokens_details: Optional[PromptTokensDetails] = _typed(PromptTokensDetails)


@_model
class TopLogprob(BaseModel):
    token: Optional[str] = None
    bytes: Optional[List[int]] = None
    logprob: Optional[float] = None
    _FLOATS = ("logprob",)


@_model
class ChatCompletionTokenLogprob(BaseModel):
    token: Optional[str] = None
    bytes: Optional[List[int]] = None
    logprob: Optional[float] = None
    top_logprobs: Optional[List[TopLogprob]] = _typed([TopLogprob])
    _FLOATS = ("logprob",)


@_model
class ChoiceLogprobs(BaseModel):
    content: Optional[List[ChatCompletionTokenLogprob]] = _typed([ChatCompletionTokenLogprob])
    refusal: Optional[List[ChatCompletionTokenLogprob]] = _typed([ChatCompletionTokenLogprob])


@_model
class Function(BaseModel):
    """A tool call's function: ``name`` and ``arguments`` (a JSON string)."""

    arguments: Optional[str] = None
    name: Optional[str] = None


@_model
class ChatCompletionMessageToolCall(BaseModel):
    """A function tool call in a message (openai's ChatCompletionMessageFunctionToolCall)."""

    id: Optional[str] = None
    function: Optional[Function] = _typed(Function)
    type: Optional[str] = None


ChatCompletionMessageFunctionToolCall = ChatCompletionMessageToolCall


@_model
class ChatCompletionMessage(BaseModel):
    """The message of a choice: ``content``, ``refusal``, ``role``, ``tool_calls``, ... and every
    key the server added (``reasoning_content``, ...)."""

    content: Optional[str] = None
    refusal: Optional[str] = None
    role: Optional[str] = None
    annotations: Optional[List[Any]] = None
    audio: Optional[Any] = None
    function_call: Optional[Function] = _typed(Function)
    tool_calls: Optional[List[ChatCompletionMessageToolCall]] = _typed([ChatCompletionMessageToolCall])


@_model
class Choice(BaseModel):
    finish_reason: Optional[str] = None
    index: Optional[int] = None
    logprobs: Optional[ChoiceLogprobs] = _typed(ChoiceLogprobs)
    message: Optional[ChatCompletionMessage] = _typed(ChatCompletionMessage)


@_model
class ChatCompletion(BaseModel):
    """A chat completion, as openai returns it."""

    id: Optional[str] = None
    choices: Optional[List[Choice]] = _typed([Choice])
    created: Optional[int] = None
    model: Optional[str] = None
    object: Optional[str] = None
    metadata: Optional[Dict[str, str]] = None
    moderation: Optional[Any] = None
    service_tier: Optional[str] = None
    system_fingerprint: Optional[str] = None
    usage: Optional[CompletionUsage] = _typed(CompletionUsage)


@_model
class ChoiceDeltaFunctionCall(BaseModel):
    arguments: Optional[str] = None
    name: Optional[str] = None


@_model
class ChoiceDeltaToolCallFunction(BaseModel):
    arguments: Optional[str] = None
    name: Optional[str] = None


@_model
class ChoiceDeltaToolCall(BaseModel):
    index: Optional[int] = None
    id: Optional[str] = None
    function: Optional[ChoiceDeltaToolCallFunction] = _typed(ChoiceDeltaToolCallFunction)
    type: Optional[str] = None


@_model
class ChoiceDelta(BaseModel):
    audio: Optional[Any] = None
    content: Optional[str] = None
    function_call: Optional[ChoiceDeltaFunctionCall] = _typed(ChoiceDeltaFunctionCall)
    refusal: Optional[str] = None
    role: Optional[str] = None
    tool_calls: Optional[List[ChoiceDeltaToolCall]] = _typed([ChoiceDeltaToolCall])


@_model
class ChunkChoice(BaseModel):
    """A choice of a ChatCompletionChunk (openai's ``chat_completion_chunk.Choice``)."""

    delta: Optional[ChoiceDelta] = _typed(ChoiceDelta)
    index: Optional[int] = None
    finish_reason: Optional[str] = None
    logprobs: Optional[ChoiceLogprobs] = _typed(ChoiceLogprobs)


@_model
class ChatCompletionChunk(BaseModel):
    """One event of a streamed chat completion, as openai yields it."""

    id: Optional[str] = None
    choices: Optional[List[ChunkChoice]] = _typed([ChunkChoice])
    created: Optional[int] = None
    model: Optional[str] = None
    object: Optional[str] = None
    moderation: Optional[Any] = None
    obfuscation: Optional[str] = None
    service_tier: Optional[str] = None
    system_fingerprint: Optional[str] = None
    usage: Optional[CompletionUsage] = _typed(CompletionUsage)


@_model
class Embedding(BaseModel):
    """One embedding: ``embedding`` (floats, or the base64 string when asked for), ``index``."""

    embedding: Union[List[float], str, None] = None
    index: Optional[int] = None
    object: Optional[str] = None
    _FLOATS = ("embedding",)


@_model
class EmbeddingUsage(BaseModel):
    prompt_tokens: Optional[int] = None
    total_tokens: Optional[int] = None


@_model
class CreateEmbeddingResponse(BaseModel):
    """The answer to ``embeddings.create``."""

    data: Optional[List[Embedding]] = _typed([Embedding])
    model: Optional[str] = None
    object: Optional[str] = None
    usage: Optional[EmbeddingUsage] = _typed(EmbeddingUsage)


@_model
class ModelObject(BaseModel):
    """An entry of the model list (openai's ``types.Model``; that name is chatclient's model base)."""

    id: Optional[str] = None
    created: Optional[int] = None
    object: Optional[str] = None
    owned_by: Optional[str] = None
    shutdown_date: Optional[str] = None


@_model
class ModelDeleted(BaseModel):
    id: Optional[str] = None
    deleted: Optional[bool] = None
    object: Optional[str] = None


# ---- streams: the SDK face's streams, yielding every chunk and raising openai's errors ----

def _stream_error(body: Mapping[str, Any], request: Any) -> APIError:
    said = body.get("message")
    return APIError(said if isinstance(said, str) and said else "An error occurred during streaming", request,
                    body=body)


class Stream(StreamingChatCompletions):
    """``for chunk in stream``: every ChatCompletionChunk (but ``[DONE]``); a context manager,
    ``close()`` drops the connection at once; ``response`` is the HTTP response."""

    _UPDATE = staticmethod(ChatCompletionChunk._from_json)
    _SKIP_EMPTY = False

    def __init__(self, response: Any, **kwargs: Any) -> None:
        super().__init__(response, **kwargs)
        self.response = response
        self._updates = self._mapped(self._updates)

    def __class_getitem__(cls, item: Any) -> Any:  # Stream[ChatCompletionChunk] in annotations read at run time
        return cls

    def _mapped(self, updates: Any) -> Any:
        try:
            yield from updates
        except AzureError as exc:
            raise _openai_error(exc, getattr(self.response, "request", None)) from exc

    def _error(self, body: Mapping[str, Any]) -> Any:
        return _stream_error(body, getattr(self.response, "request", None))

    def get_final_completion(self) -> ChatCompletion:  # type: ignore[override]
        """The ChatCompletion the chunks add up to (reading the rest of the stream first)."""
        for _ in self:
            pass
        return self._final.result(ChatCompletion)

    def __enter__(self) -> Stream:
        return self


class AsyncStream(AsyncStreamingChatCompletions):
    """``async for chunk in stream``: as ``Stream``, on the event loop."""

    _UPDATE = staticmethod(ChatCompletionChunk._from_json)
    _SKIP_EMPTY = False

    def __init__(self, response: Any, **kwargs: Any) -> None:
        super().__init__(response, **kwargs)
        self.response = response
        self._updates = self._mapped(self._updates)

    def __class_getitem__(cls, item: Any) -> Any:
        return cls

    async def _mapped(self, updates: Any) -> Any:
        try:
            async for update in updates:
                yield update
        except AzureError as exc:
            raise _openai_error(exc, getattr(self.response, "request", None)) from exc
        finally:
            await updates.aclose()

    def _error(self, body: Mapping[str, Any]) -> Any:
        return _stream_error(body, getattr(self.response, "request", None))

    async def get_final_completion(self) -> ChatCompletion:  # type: ignore[override]
        """The ChatCompletion the chunks add up to (reading the rest of the stream first)."""
        async for _ in self:
            pass
        return self._final.result(ChatCompletion)

    async def __aenter__(self) -> AsyncStream:
        return self


# ---- the I/O of the face's operations: two steps, as the SDK face's --------------

def _face_json(response: Any) -> Any:
    """The decoded JSON of a successful response; else openai's error for its status."""
    try:
        data = yield from response._read_all()
    except ServiceResponseError:
        if 200 <= response.status_code < 300:
            raise
        data = b""
    if not 200 <= response.status_code < 300:
        raise _api_status_error(response, data)
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise APIResponseValidationError(response, data.decode("utf-8", "replace"),
                                         message="the response body is not valid JSON (Content-Type: {})".format(
                                             response.headers.get("Content-Type"))) from None


class _Core:
    """What the face's operations are sent with: the pool of connections (and so the shell that
    carries out their steps), the auth hook and the origin it may be sent to.  Copies of a client
    (``with_options``) share it."""

    def __init__(self, pool: _Pool, auth: Optional[AuthHook], origin: Tuple[str, str, int]) -> None:
        self.pool, self.auth, self.origin = pool, auth, origin


# ---- auth: a key, a token, or a token provider called on every attempt -----------

class _FaceAuth:
    """Auth hook of the face: ``header`` set to ``prefix + secret()`` on every attempt (a
    provider is called each time, retries included); a header the caller set wins."""

    def __init__(self, header: str, prefix: str, secret: Callable[[], Any], what: str) -> None:
        self._header, self._prefix, self._secret, self._what = header, prefix, secret, what
        self._pending: Any = None  # the value the asyncio shell took for this attempt, on the loop

    def __call__(self, request: HttpRequest) -> None:
        value, self._pending = self._pending, None
        if value is None:
            value = self._secret()
        if hasattr(value, "__await__"):
            getattr(value, "close", lambda: None)()
            raise TypeError("{} returned an awaitable: use it with the async client".format(self._what))
        if not isinstance(value, str) or not value:
            raise ValueError("Expected `{}` to return a non-empty string.".format(self._what))
        request.headers[self._header] = self._prefix + _check_secret(value, "the " + self._what)

    async def _refresh_async(self, url: str) -> None:
        """For the async clients, right before each attempt's hook: an async provider is awaited here."""
        value = self._secret()
        self._pending = (await value) if hasattr(value, "__await__") else value

    def __repr__(self) -> str:
        return "_FaceAuth(header={!r}, <redacted>)".format(self._header)


def _secret_source(secret: Any, what: str) -> Callable[[], Any]:
    """A key or token as the function the auth hook calls: a function as it is, a string checked
    now (it must fit in a header; it is never echoed)."""
    if callable(secret):
        result: Callable[[], Any] = secret
        return result
    if not isinstance(secret, str):
        raise TypeError("{} must be a str or a function that returns one, not {}".format(what, type(secret).__name__))
    checked = _check_secret(secret, "the " + what)
    return lambda: checked


def get_bearer_token_provider(credential: Any, *scopes: str) -> Callable[[], str]:
    """azure.identity's helper: a function returning a current token of ``credential`` for ``scopes``."""
    bearer = BearerTokenAuth(credential, *scopes)
    return bearer._current_token


# ---- requests: URLs, queries, headers, bodies as openai builds them --------------

class Timeout:
    """openai's ``Timeout`` (httpx's): ``Timeout(20.0, connect=5.0)``; None means no limit."""

    _UNSET_TIMEOUT: Any = object()

    def __init__(self, timeout: Optional[float] = _UNSET_TIMEOUT, *, connect: Optional[float] = _UNSET_TIMEOUT,
                 read: Optional[float] = _UNSET_TIMEOUT, write: Optional[float] = _UNSET_TIMEOUT,
                 pool: Optional[float] = _UNSET_TIMEOUT) -> None:
        if timeout is self._UNSET_TIMEOUT and self._UNSET_TIMEOUT in (connect, read, write, pool):
            raise ValueError("Timeout needs a default (Timeout(10.0)) or all four of connect, read, write, pool")
        unset = self._UNSET_TIMEOUT
        self.connect: Optional[float] = timeout if connect is unset else connect
        self.read: Optional[float] = timeout if read is unset else read
        self.write: Optional[float] = timeout if write is unset else write
        self.pool: Optional[float] = timeout if pool is unset else pool

    def __repr__(self) -> str:
        return "Timeout(connect={}, read={}, write={}, pool={})".format(self.connect, self.read, self.write, self.pool)


_DEFAULT_TIMEOUT = {"read_timeout": 600.0, "connection_timeout": 5.0}  # openai's: 600 s, 5 s to connect
_NO_TIMEOUT = 604800.0


def _timeouts(timeout: Any) -> Dict[str, float]:
    """The transport settings for openai's ``timeout``: seconds (all phases), None (none), or an
    object with ``connect`` and ``read`` (an ``httpx.Timeout``)."""
    if timeout is None:
        return {"read_timeout": _NO_TIMEOUT, "connection_timeout": _NO_TIMEOUT}
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return {"read_timeout": float(timeout), "connection_timeout": float(timeout)}
    if hasattr(timeout, "read") and hasattr(timeout, "connect"):
        read, connect = timeout.read, timeout.connect
        return {"read_timeout": _NO_TIMEOUT if read is None else float(read),
                "connection_timeout": _NO_TIMEOUT if connect is None else float(connect)}
    raise TypeError("timeout must be seconds, None or an object with connect and read, not {}".format(
        type(timeout).__name__))


def _query_pairs(key: str, value: Any) -> List[Tuple[str, str]]:
    """openai's query encoding: booleans as true/false, lists as key[]=..., objects as key[sub]=..."""
    if value is None or not _given(value):
        return []
    if isinstance(value, bool):
        return [(key, "true" if value else "false")]
    if isinstance(value, (list, tuple)):
        return [pair for v in value for pair in _query_pairs(key + "[]", v)]
    if isinstance(value, Mapping):
        return [pair for k, v in value.items() for pair in _query_pairs("{}[{}]".format(key, k), v)]
    return [(key, str(value))]


def _query_string(*queries: Optional[Mapping[str, Any]]) -> str:
    merged: Dict[str, Any] = {}
    for query in queries:
        merged.update(query or {})
    pairs = [pair for key, value in merged.items() for pair in _query_pairs(key, value)]
    return urlencode(pairs, quote_via=quote)


def _path_segment(value: str) -> str:
    """A value in a URL path, as openai puts it there: percent-encoded but for RFC 3986's pchar
    (so ``meta/llama-3`` is ``meta%2Fllama-3``, ``ft:gpt-4o`` stays); ``.`` and ``..`` refused."""
    segment = quote(value, safe="!$&'()*+,;=:@")
    if re.fullmatch(r"(?:\.|%2[eE]){1,2}", segment):
        raise ValueError("{!r} cannot be a path segment".format(value))
    return segment


def _check_params(call: Mapping[str, Any], known: Sequence[str], required: Sequence[str], what: str) -> None:
    for name in call:
        if name not in known:
            raise TypeError("{}() got an unexpected keyword argument {!r}".format(what, name))
    for name in required:
        if name not in call or not _given(call[name]):
            raise TypeError("{}() missing required keyword argument: {!r}".format(what, name))


def _body_of(call: Mapping[str, Any], order: Sequence[str], extra_body: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The JSON body: the given parameters in openai's order (None sent as null, NOT_GIVEN and
    omit left out), then ``extra_body`` on top."""
    body = {name: _wire(call[name]) for name in order if name in call and _given(call[name])}
    if extra_body:
        body.update(_wire(dict(extra_body)))
    return body


_CALL_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout")

# chat.completions.create's parameters, in the order openai puts them in the body.
_CHAT_PARAMS = (
    "model", "stream", "service_tier", "messages", "audio", "frequency_penalty", "function_call", "functions",
    "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities", "moderation", "n",
    "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key", "prompt_cache_options",
    "prompt_cache_retention", "reasoning_effort", "response_format", "safety_identifier", "seed", "stop", "store",
    "stream_options", "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity",
    "web_search_options")
_EMBEDDING_PARAMS = ("model", "input", "user", "dimensions", "encoding_format")
# Paths served under an Azure deployment (/openai/deployments/{model}/...).
_DEPLOYMENT_PATHS = frozenset(("/completions", "/chat/completions", "/embeddings", "/audio/transcriptions",
                               "/audio/translations", "/audio/speech", "/images/generations", "/images/edits"))


class _RawResponse:
    """``with_raw_response``: the HTTP response (``headers``, ``status_code``, ``http_request``,
    ``request_id``) and ``parse()``, the object the call would have returned."""

    def __init__(self, response: Any, parsed: Any) -> None:
        self.http_response, self._parsed = response, parsed
        self.headers: CaseInsensitiveDict = response.headers
        self.status_code: int = response.status_code
        self.http_request = response.request
        self.request_id: Optional[str] = response.headers.get("x-request-id")
        self.retries_taken = 0

    @property
    def content(self) -> bytes:
        return _body_read(self.http_response)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)

    def parse(self, *, to: Any = None) -> Any:
        return self._parsed

    @property
    def url(self) -> str:
        return str(self.http_request.url)

    def __repr__(self) -> str:
        return "<APIResponse [{}] type={}>".format(self.status_code, type(self._parsed).__name__)


# ---- the resources: each method written once, for the blocking and the async clients ----

@_model
class SyncPage(BaseModel):
    """A list answer (``data``, ``object``), iterable over its items; there is no next page."""

    data: Optional[List[ModelObject]] = _typed([ModelObject])
    object: Optional[str] = None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data or [])

    def __class_getitem__(cls, item: Any) -> Any:  # SyncPage[Model] in annotations read at run time
        return cls

    def has_next_page(self) -> bool:
        return False

    def next_page_info(self) -> None:
        return None

    def iter_pages(self) -> Iterator[SyncPage]:
        yield self


class AsyncPage(SyncPage):
    """``async for`` over a list answer's items."""

    async def __aiter__(self) -> AsyncIterator[Any]:
        for item in self.data or []:
            yield item


class _AsyncPager:
    """What async ``models.list()`` returns: awaited, the page; ``async for``, its items."""

    def __init__(self, pending: Any) -> None:
        self._pending = pending

    def __await__(self) -> Any:
        return self._pending.__await__()

    async def __aiter__(self) -> AsyncIterator[Any]:
        page = await self._pending
        for item in page:
            yield item


def _decoded_embeddings(obj: Dict[str, Any]) -> CreateEmbeddingResponse:
    """openai's default: the base64 vectors asked for, decoded into lists of floats (float32)."""
    data = obj.get("data")
    if not data:
        raise ValueError("No embedding data received")
    import array
    import base64
    for item in data:
        if isinstance(item, dict) and isinstance(item.get("embedding"), str):
            vector = array.array("f", base64.b64decode(item["embedding"]))
            if sys.byteorder == "big":
                vector.byteswap()
            item["embedding"] = vector.tolist()
    return CreateEmbeddingResponse._from_json(obj)


class _Resource:
    """A group of operations of a client; ``with_raw_response`` returns the same group whose
    calls return the raw response (``headers``, ``request_id``, ``parse()``)."""

    def __init__(self, client: Any, raw: bool = False) -> None:
        self._client, self._raw = client, raw

    @property
    def with_raw_response(self: T) -> T:
        return type(self)(self._client, True)  # type: ignore[call-arg,attr-defined]

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]], call: Mapping[str, Any],
              parse: Optional[Callable[[Any], Any]], stream: Any = False) -> Any:
        return self._client._run(self._client._operation(method, path, body, call, parse, stream, self._raw))


# ---- structured output: chat.completions.parse() and .stream(), as openai's ----------

def _attach(model: Any, name: str, value: Any) -> None:
    """Sets a field to a Python object (an instance of the caller's dataclass, ...): the attribute is the object,
    the document (``to_dict()``, ``str()``) its JSON form."""
    model._data[name] = _jsonable(value)
    model.__dict__[name] = value


@_model
class ParsedFunction(Function):
    """A tool call's function with ``parsed_arguments``: an instance of a ``function_tool``'s dataclass, the
    keyword arguments of its function, or the decoded JSON of another strict tool's arguments."""

    parsed_arguments: Optional[Any] = None


@_model
class ParsedFunctionToolCall(ChatCompletionMessageToolCall):
    function: Optional[ParsedFunction] = _typed(ParsedFunction)


@_model
class ParsedChatCompletionMessage(ChatCompletionMessage):
    """A message with ``parsed``: the content as an instance of the response_format dataclass (None for a
    refusal or empty content)."""

    tool_calls: Optional[List[ParsedFunctionToolCall]] = _typed([ParsedFunctionToolCall])  # type: ignore[assignment]
    parsed: Optional[Any] = None


@_model
class ParsedChoice(Choice):
    message: Optional[ParsedChatCompletionMessage] = _typed(ParsedChatCompletionMessage)


@_model
class ParsedChatCompletion(ChatCompletion):
    """What ``chat.completions.parse()`` returns: a ChatCompletion whose messages have ``parsed``."""

    choices: Optional[List[ParsedChoice]] = _typed([ParsedChoice])  # type: ignore[assignment]


# parse() and stream() take create()'s parameters but ``stream``, which they set themselves.
_HELPER_PARAMS = tuple(name for name in _CHAT_PARAMS if name != "stream") + _CALL_OPTIONS
_FINISH_ERRORS: Dict[str, Any] = {"length": LengthFinishReasonError, "content_filter": ContentFilterFinishReasonError}


def _response_format_param(response_format: Any) -> Any:
    """What openai sends for ``response_format``: a dict as it is, a dataclass as its strict json_schema format."""
    return response_format if isinstance(response_format, Mapping) else _response_format_for(response_format)


def _strict_tools(tools: Any) -> List[Any]:
    """``parse()``'s tools: each a strict function tool (openai's rule and messages), as a list."""
    result: List[Any] = list(tools)
    for tool in result:
        if tool.get("type") != "function":
            raise ValueError("Currently only `function` tool types support auto-parsing; Received `{}`".format(
                tool.get("type")))
        function = tool.get("function") or {}
        if function.get("strict") is not True:
            raise ValueError("`{}` is not strict. Only `strict` function tools can be auto-parsed".format(
                function.get("name")))
    return result


def _tool_named(tools: Sequence[Any], name: Any) -> Any:
    for tool in tools:
        if isinstance(tool, Mapping) and tool.get("type") == "function" and \
                isinstance(tool.get("function"), Mapping) and tool["function"].get("name") == name:
            return tool
    return None


def _parsed_arguments(tools: Sequence[Any], function: Mapping[str, Any]) -> Any:
    """openai's rule: a ``function_tool``'s call as its instance (or keyword arguments), another strict tool's as
    its decoded JSON, anything else None."""
    tool = _tool_named(tools, function.get("name"))
    if tool is None:
        return None
    if getattr(tool, "target", None) is not None:
        return _parse_tool_arguments(tool, function.get("arguments") or "")
    if not tool["function"].get("strict"):
        return None
    return json.loads(function.get("arguments"))  # type: ignore[arg-type]


def _parsed_content(response_format: Any, message: Mapping[str, Any]) -> Any:
    """The content as an instance of the response_format dataclass; None without one (a dict format, not given),
    for a refusal or for empty content."""
    content = message.get("content")
    if not isinstance(response_format, type) or not content or message.get("refusal"):
        return None
    try:
        value = json.loads(content)
    except ValueError as exc:
        raise ValueError("{}: the content is not JSON ({})".format(response_format.__name__, exc)) from None
    return _parse_as(response_format, value)


def _parsed_completion(obj: JSON, response_format: Any, tools: Sequence[Any]) -> ParsedChatCompletion:
    """openai's parse_chat_completion over the server's JSON: finish_reason length / content_filter raise; each
    message gets ``parsed``, each function tool call ``parsed_arguments`` (custom tool calls are left out)."""
    choices, objects = [], []
    for choice in obj.get("choices") or ():
        error = _FINISH_ERRORS.get(choice.get("finish_reason"))
        if error is not None:
            raise error(completion=ChatCompletion._from_json(obj))
        message = choice.get("message") or {}
        calls, arguments = [], []
        for call in message.get("tool_calls") or ():
            if call.get("type") == "function":
                function = call.get("function") or {}
                arguments.append(_parsed_arguments(tools, function))
                calls.append(dict(call, function=dict(function, parsed_arguments=None)))
            elif call.get("type") != "custom":  # openai drops custom tool calls (with a warning)
                calls.append(call)
                arguments.append(_UNSET)
        parsed = _parsed_content(response_format, message)
        choices.append(dict(choice, message=dict(message, parsed=None, tool_calls=calls or None)))
        objects.append((parsed, arguments))
    result = ParsedChatCompletion._from_json(dict(obj, choices=choices))
    for choice, (parsed, arguments) in zip(result.choices or (), objects):
        parsed_message: Any = choice.message
        _attach(parsed_message, "parsed", parsed)
        for call, value in zip(parsed_message.tool_calls or (), arguments):
            if value is not _UNSET:
                _attach(call.function, "parsed_arguments", value)
    return result


_JSON_TOKEN = r'\s*(?:"(?:[^"\\]|\\.)*"|[{}\[\],:]|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)'


class _PartialJSON:
    """JSON arriving in pieces (a streamed answer, a tool call's arguments), read as far as it goes, as openai reads
    it with jiter's partial mode: open objects and arrays closed, an unfinished string, key or literal left out;
    None while nothing is complete.  Each read goes on scanning where the last one stopped (the text only grows),
    so a stream costs one scan, plus one ``json.loads`` a read (of the whole text, once it is complete)."""

    def __init__(self) -> None:
        self.pos = 0  # where the scan goes on: after the last token that cannot grow
        self.closers: List[str] = []  # the open objects' and arrays' closing brackets
        self.key_next = False  # in an object, where a key comes
        self.cut: Optional[Tuple[int, str]] = None  # the text up to here, closed so, is JSON

    def read(self, text: str) -> Any:
        token_at = re.compile(_JSON_TOKEN).match  # compiled at first use (re keeps it), not at import
        pos, closers, key_next, cut = self.pos, self.closers, self.key_next, self.cut
        while True:
            match = token_at(text, pos)
            if match is None:
                break
            token, end = match.group().lstrip(), match.end()
            if token[0] in "-0123456789" and (end == len(text) or text[end] not in " \t\r\n,]}"):
                if end == len(text) and not key_next:  # a number that may go on: used now, scanned again
                    cut = (end, "".join(reversed(closers)))
                break
            pos = end
            if token in ("{", "["):
                closers.append("}" if token == "{" else "]")
                key_next = token == "{"
            elif token in ("}", "]"):
                if not closers:
                    break
                closers.pop()
            elif token == ",":
                key_next = bool(closers) and closers[-1] == "}"
                continue
            elif token == ":":
                key_next = False
                continue
            elif key_next:
                continue  # a key: complete only with its value
            cut = self.cut = (pos, "".join(reversed(closers)))
        self.pos, self.key_next = pos, key_next
        if cut is None:
            return None
        try:
            return json.loads(text[:cut[0]] + cut[1])
        except ValueError:
            return None


@_model
class ChatCompletionStreamEvent(BaseModel):
    """An event of openai's ``chat.completions.stream()``, by ``type``: ``chunk`` (``chunk``, and ``snapshot``,
    the completion so far, read when asked), ``content.delta`` (``delta``, ``snapshot``, ``parsed``: the partial
    JSON so far), ``content.done`` (``content``, ``parsed``), ``refusal.delta`` / ``.done``,
    ``tool_calls.function.arguments.delta`` (``name``, ``index``, ``arguments``, ``parsed_arguments``,
    ``arguments_delta``) / ``.done``, ``logprobs.content.*`` / ``logprobs.refusal.*``.  openai has a class per
    type; one class here, whose fields are the keys each type has (as every key reads as an attribute)."""

    type: Optional[str] = None
    _state: Any = None

    @property
    def snapshot(self) -> Any:
        state = self.__dict__.get("_state")
        return state.snapshot() if state is not None else self.__dict__.get("snapshot", self._data.get("snapshot"))


def _event(**fields: Any) -> ChatCompletionStreamEvent:
    """An event: its fields' JSON forms as its document, objects (a chunk, parsed instances, logprobs) as its
    attributes."""
    done = fields["type"].endswith(".done")  # a done event's parsed values may be instances; the others' are JSON
    event = ChatCompletionStreamEvent._from_json({
        name: value._data if isinstance(value, Model) else _jsonable(value) if done else value
        for name, value in fields.items()})
    for name, value in fields.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):  # logprobs
            event.__dict__[name] = [ChatCompletionTokenLogprob._from_json(item) for item in value]
        elif value is not None and not isinstance(value, (str, int, list)):
            event.__dict__[name] = value
    return event


class _ChoiceEvents:
    """What a choice of a stream has announced (openai's ChoiceEventState) and its parsed values so far."""

    def __init__(self) -> None:
        self.parsed: Any = None
        self.arguments: Dict[Any, Any] = {}
        self.partial: Dict[Any, _PartialJSON] = {}  # the content's (key None) and each tool call's arguments
        self.done: set = set()  # type: ignore[type-arg]  # "content", "refusal", ... and finished tool calls
        self.tool: Any = None  # the tool call being streamed


class _StreamEvents:
    """openai's stream events for each chunk of a raw Stream, whose accumulator (``_final``) has already added it
    up: one parser, one accumulator; this only reads the answer so far and says what changed."""

    def __init__(self, raw: Any, response_format: Any, tools: Sequence[Any]) -> None:
        self._raw = raw
        self._format = response_format if isinstance(response_format, type) else None  # a dataclass, to parse into
        self._tools = tools
        self._parseable = self._format is not None or any(
            isinstance(t, Mapping) and t.get("type") == "function" and (
                getattr(t, "target", None) is not None or (t.get("function") or {}).get("strict")) for t in tools)
        self._choices: Dict[Any, _ChoiceEvents] = {}

    def events(self, chunk: Any) -> List[Any]:
        data = chunk._data
        if data.get("object") != "chat.completion.chunk":  # as openai: Azure's asynchronous filter events
            return []
        events = [_event(type="chunk", chunk=chunk)]
        events[0].__dict__["_state"] = self
        accumulated = self._raw._final._choices
        for choice in data.get("choices") or ():
            index = choice.get("index", 0)
            state = accumulated.get(index if isinstance(index, (int, str)) else str(index))
            if state is None:
                continue
            mine = self._choices.setdefault(index, _ChoiceEvents())
            message = state["message"]
            delta = choice.get("delta") or {}
            if choice.get("finish_reason") and self._parseable and choice["finish_reason"] in _FINISH_ERRORS:
                raise _FINISH_ERRORS[choice["finish_reason"]](completion=self.snapshot())
            content, refusal = _plain(message.get("content")), _plain(message.get("refusal"))
            if self._format is not None and isinstance(content, str) and content.strip() and not refusal:
                mine.parsed = mine.partial.setdefault(None, _PartialJSON()).read(content)
            calls = message.get("tool_calls") or {}
            for call in delta.get("tool_calls") or ():
                snapshot = _plain(calls.get(call.get("index"), {}))
                function = snapshot.get("function") or {}
                tool = _tool_named(self._tools, function.get("name"))
                if tool is not None and tool["function"].get("strict") and function.get("arguments"):
                    mine.arguments[call.get("index")] = mine.partial.setdefault(
                        call.get("index"), _PartialJSON()).read(function["arguments"])
            if delta.get("content") is not None and content is not None:
                events.append(_event(type="content.delta", delta=delta["content"],
                                     snapshot=content, parsed=mine.parsed))
            if delta.get("refusal") is not None and refusal is not None:
                events.append(_event(type="refusal.delta", delta=delta["refusal"],
                                     snapshot=refusal))
            for call in delta.get("tool_calls") or ():
                function = _plain(calls.get(call.get("index"), {})).get("function") or {}
                events.append(_event(type="tool_calls.function.arguments.delta",
                                     name=function.get("name"), index=call.get("index"),
                                     arguments=function.get("arguments"),
                                     parsed_arguments=mine.arguments.get(call.get("index")),
                                     arguments_delta=(call.get("function") or {}).get("arguments") or ""))
            logprobs, so_far = choice.get("logprobs"), _plain(state.get("logprobs"))
            if isinstance(logprobs, dict) and isinstance(so_far, dict):
                for key in ("content", "refusal"):
                    if logprobs.get(key) and so_far.get(key):
                        events.append(_event(**{"type": "logprobs.{}.delta".format(key), key: logprobs[key],
                                                "snapshot": so_far[key]}))
            if state.get("finish_reason"):
                events += self._done(mine, message, so_far)
                if mine.tool is not None:
                    events += self._tool_done(mine, message, mine.tool)
            for call in delta.get("tool_calls") or ():
                if mine.tool != call.get("index"):
                    events += self._done(mine, message, so_far)
                    if mine.tool is not None:
                        events += self._tool_done(mine, message, mine.tool)
                mine.tool = call.get("index")
        return events

    def _done(self, mine: _ChoiceEvents, message: Dict[str, Any], logprobs: Any) -> List[Any]:
        events = []
        content, refusal = _plain(message.get("content")), _plain(message.get("refusal"))
        if content and "content" not in mine.done:
            mine.done.add("content")
            mine.parsed = _parsed_content(self._format, {"content": content, "refusal": refusal})
            events.append(_event(type="content.done", content=content, parsed=mine.parsed))
        if refusal is not None and "refusal" not in mine.done:
            mine.done.add("refusal")
            events.append(_event(type="refusal.done", refusal=refusal))
        for key in ("content", "refusal"):
            if isinstance(logprobs, dict) and logprobs.get(key) is not None and "logprobs." + key not in mine.done:
                mine.done.add("logprobs." + key)
                events.append(_event(**{"type": "logprobs.{}.done".format(key), key: logprobs[key]}))
        return events

    def _tool_done(self, mine: _ChoiceEvents, message: Dict[str, Any], index: Any) -> List[Any]:
        if ("tool", index) in mine.done:
            return []
        mine.done.add(("tool", index))
        function = _plain((message.get("tool_calls") or {}).get(index, {})).get("function") or {}
        mine.arguments[index] = parsed = _parsed_arguments(self._tools, function)
        return [_event(type="tool_calls.function.arguments.done", index=index,
                       name=function.get("name"), arguments=function.get("arguments"), parsed_arguments=parsed)]

    def snapshot(self) -> ParsedChatCompletion:
        """The completion so far, with the parsed values so far (partial JSON until a part is done)."""
        result: ParsedChatCompletion = self._raw._final.result(ParsedChatCompletion)
        for choice in result.choices or ():
            mine = self._choices.get(choice.index)
            if mine is not None and choice.message is not None:
                _attach(choice.message, "parsed", mine.parsed)
                for position, call in enumerate(choice.message.tool_calls or ()):
                    if call.function is not None and position in mine.arguments:
                        _attach(call.function, "parsed_arguments", mine.arguments[position])
        return result

    def final(self) -> ParsedChatCompletion:
        return _parsed_completion(self._raw._final.result(ChatCompletion)._data, self._format, self._tools)


class ChatCompletionStream:
    """``for event in stream``: openai's stream events (``chunk``, ``content.delta``, ``content.done``,
    ``refusal.*``, ``tool_calls.function.arguments.*``, ``logprobs.*``); ``get_final_completion()`` (a
    ParsedChatCompletion), ``until_done()``, ``current_completion_snapshot``, ``close()``."""

    def __init__(self, raw: Any, response_format: Any, tools: Sequence[Any]) -> None:
        self._raw, self.response = raw, raw.response
        self._state = _StreamEvents(raw, response_format, tools)
        self._iterator = self._events()

    def _events(self) -> Iterator[Any]:
        for chunk in self._raw:
            yield from self._state.events(chunk)

    def __iter__(self) -> Iterator[Any]:
        return self._iterator

    def __next__(self) -> Any:
        return next(self._iterator)

    def __enter__(self) -> ChatCompletionStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def until_done(self) -> ChatCompletionStream:
        for _ in self:
            pass
        return self

    def get_final_completion(self) -> ParsedChatCompletion:
        """The ParsedChatCompletion the stream adds up to (reading the rest of it first)."""
        return self.until_done()._state.final()

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion:
        return self._state.snapshot()


class AsyncChatCompletionStream:
    """``async for event in stream``: as ChatCompletionStream, on the event loop."""

    def __init__(self, raw: Any, response_format: Any, tools: Sequence[Any]) -> None:
        self._raw, self.response = raw, raw.response
        self._state = _StreamEvents(raw, response_format, tools)
        self._iterator = self._events()

    async def _events(self) -> AsyncIterator[Any]:
        async for chunk in self._raw:
            for event in self._state.events(chunk):
                yield event

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterator

    async def __anext__(self) -> Any:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncChatCompletionStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        await self._iterator.aclose()  # type: ignore[attr-defined]
        await self._raw.close()

    async def until_done(self) -> AsyncChatCompletionStream:
        async for _ in self._iterator:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion:
        return (await self.until_done())._state.final()

    @property
    def current_completion_snapshot(self) -> ParsedChatCompletion:
        return self._state.snapshot()


class ChatCompletionStreamManager:
    """What ``chat.completions.stream()`` returns: nothing is sent until ``with`` enters it, which gives the
    ChatCompletionStream; leaving closes it."""

    def __init__(self, request: Callable[[], Any], response_format: Any, tools: Sequence[Any]) -> None:
        self._request, self._format, self._tools = request, response_format, tools
        self._stream: Optional[ChatCompletionStream] = None

    def __enter__(self) -> ChatCompletionStream:
        self._stream = ChatCompletionStream(self._request(), self._format, self._tools)
        return self._stream

    def __exit__(self, *exc: Any) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncChatCompletionStreamManager:
    """The async ``chat.completions.stream()``: ``async with`` sends the request."""

    def __init__(self, request: Callable[[], Any], response_format: Any, tools: Sequence[Any]) -> None:
        self._request, self._format, self._tools = request, response_format, tools
        self._stream: Optional[AsyncChatCompletionStream] = None

    async def __aenter__(self) -> AsyncChatCompletionStream:
        self._stream = AsyncChatCompletionStream(await self._request(), self._format, self._tools)
        return self._stream

    async def __aexit__(self, *exc: Any) -> None:
        if self._stream is not None:
            await self._stream.close()


class Completions(_Resource):
    """``client.chat.completions``."""

    def create(self, **params: Any) -> Any:
        """A chat completion (``stream=True``: a Stream of ChatCompletionChunk); every parameter openai
        documents is sent as given (None as null), plus ``extra_headers``, ``extra_query``,
        ``extra_body`` and ``timeout``."""
        _check_params(params, _CHAT_PARAMS + _CALL_OPTIONS, ("messages", "model"), "create")
        if isinstance(params.get("response_format"), type):
            raise TypeError("You tried to pass a class to `chat.completions.create()`; you must use "
                            "`chat.completions.parse()` instead")
        body = _body_of(params, _CHAT_PARAMS, params.get("extra_body"))
        return self._call("POST", "/chat/completions", body, params, ChatCompletion._from_json,
                          stream=params.get("stream") is True)

    def parse(self, **params: Any) -> Any:
        """openai's ``parse()``: ``response_format`` a dataclass (sent as its strict JSON schema) or a dict; every
        tool a strict function tool (``function_tool(...)``).  A ParsedChatCompletion: ``message.parsed`` an
        instance of the dataclass, tool calls with ``function.parsed_arguments``; finish_reason ``length`` /
        ``content_filter`` raise LengthFinishReasonError / ContentFilterFinishReasonError."""
        _check_params(params, _HELPER_PARAMS, ("messages", "model"), "parse")
        call = dict(params, stream=False)
        response_format = params.get("response_format", NOT_GIVEN)
        if _given(response_format):
            call["response_format"] = _response_format_param(response_format)
        tools = _strict_tools(params["tools"]) if _given(params.get("tools", NOT_GIVEN)) else []
        if _given(params.get("tools", NOT_GIVEN)):
            call["tools"] = tools
        body = _body_of(call, _CHAT_PARAMS, params.get("extra_body"))
        return self._call("POST", "/chat/completions", body, params,
                          lambda obj: _parsed_completion(obj, response_format, tools))

    def stream(self, **params: Any) -> Any:
        """openai's ``stream()``: a context manager that sends the request when entered and gives a
        ChatCompletionStream of openai's events (``async with`` on the async clients)."""
        _check_params(params, _HELPER_PARAMS, ("messages", "model"), "stream")
        call = dict(params, stream=True)
        response_format = params.get("response_format", NOT_GIVEN)
        if _given(response_format):
            call["response_format"] = _response_format_param(response_format)
        tools = list(params["tools"]) if _given(params.get("tools", NOT_GIVEN)) else []
        if _given(params.get("tools", NOT_GIVEN)):
            call["tools"] = tools
        manager = AsyncChatCompletionStreamManager if self._client._ASYNC else ChatCompletionStreamManager
        return manager(lambda: Completions(self._client).create(**call), response_format, tools)


class Chat:
    """``client.chat``."""

    def __init__(self, client: Any) -> None:
        self.completions = Completions(client)


class Beta:
    """``client.beta``: openai keeps ``client.beta.chat`` (where ``parse()`` and ``stream()`` first were) as
    ``client.chat``."""

    def __init__(self, client: Any) -> None:
        self.chat = Chat(client)


class Embeddings(_Resource):
    """``client.embeddings``."""

    def create(self, **params: Any) -> Any:
        """Embeddings for ``input``.  Without ``encoding_format``, asks for base64 and decodes it
        into lists of floats, as openai does; ``"base64"`` returns the strings untouched."""
        _check_params(params, _EMBEDDING_PARAMS + _CALL_OPTIONS, ("input", "model"), "create")
        body = _body_of(params, _EMBEDDING_PARAMS, None)
        decode = not _given(params.get("encoding_format", NOT_GIVEN))
        if decode:
            body["encoding_format"] = "base64"
        body.update(_wire(dict(params.get("extra_body") or {})))
        return self._call("POST", "/embeddings", body, params,
                          _decoded_embeddings if decode else CreateEmbeddingResponse._from_json)


class Models(_Resource):
    """``client.models``: ``list()``, ``retrieve(id)``, ``delete(id)``."""

    def list(self, **call: Any) -> Any:
        _check_params(call, _CALL_OPTIONS, (), "list")
        page = AsyncPage._from_json if self._client._ASYNC else SyncPage._from_json
        result = self._call("GET", "/models", None, call, page)
        return _AsyncPager(result) if self._client._ASYNC else result

    def retrieve(self, model: str, **call: Any) -> Any:
        _check_params(call, _CALL_OPTIONS, (), "retrieve")
        return self._call("GET", self._path(model), None, call, ModelObject._from_json)

    def delete(self, model: str, **call: Any) -> Any:
        _check_params(call, _CALL_OPTIONS, (), "delete")
        return self._call("DELETE", self._path(model), None, call, ModelDeleted._from_json)

    @staticmethod
    def _path(model: Any) -> str:
        if not isinstance(model, str) or not model:
            raise ValueError("Expected a non-empty value for `model` but received {!r}".format(model))
        return "/models/" + _path_segment(model)


# ---- the Responses API: client.responses ---------------------------------------------
# Its types are openai's (fields in openai's order, so items sent back in a later ``input`` carry the
# server's keys in the order openai sends them); an object whose "type" names no known class reads as
# a plain BaseModel.  Its stream is the chat streams' machinery with another per-event step.

def _union(name: str, table: Mapping[str, Any], default: Any) -> Any:
    """A model "class" for ``_typed`` that reads each object as the class its ``"type"`` names."""
    def from_json(data: Dict[str, Any]) -> Any:
        kind = data.get("type")
        return (table.get(kind, default) if type(kind) is str else default)._from_json(data)
    return type(name, (), {"_from_json": staticmethod(from_json)})


@_model
class ResponseOutputText(BaseModel):
    annotations: Optional[List[Any]] = None
    text: Optional[str] = None
    type: Optional[str] = None
    logprobs: Optional[List[Any]] = None


@_model
class ResponseOutputRefusal(BaseModel):
    refusal: Optional[str] = None
    type: Optional[str] = None


_ResponseContent = _union("_ResponseContent", {"output_text": ResponseOutputText, "refusal": ResponseOutputRefusal},
                          BaseModel)


@_model
class ResponseOutputMessage(BaseModel):
    id: Optional[str] = None
    content: Optional[List[Any]] = _typed([_ResponseContent])
    role: Optional[str] = None
    status: Optional[str] = None
    type: Optional[str] = None
    phase: Optional[str] = None


@_model
class ResponseFunctionToolCall(BaseModel):
    arguments: Optional[str] = None
    call_id: Optional[str] = None
    name: Optional[str] = None
    type: Optional[str] = None
    id: Optional[str] = None
    caller: Optional[Any] = None
    namespace: Optional[str] = None
    status: Optional[str] = None


@_model
class ResponseReasoningSummary(BaseModel):
    text: Optional[str] = None
    type: Optional[str] = None


@_model
class ResponseReasoningItem(BaseModel):
    id: Optional[str] = None
    summary: Optional[List[ResponseReasoningSummary]] = _typed([ResponseReasoningSummary])
    type: Optional[str] = None
    content: Optional[List[ResponseReasoningSummary]] = _typed([ResponseReasoningSummary])
    encrypted_content: Optional[str] = None
    status: Optional[str] = None


@_model
class ResponseFunctionWebSearch(BaseModel):
    id: Optional[str] = None
    action: Optional[Any] = None
    status: Optional[str] = None
    type: Optional[str] = None


@_model
class ResponseCustomToolCall(BaseModel):
    call_id: Optional[str] = None
    input: Optional[str] = None
    name: Optional[str] = None
    type: Optional[str] = None
    id: Optional[str] = None
    caller: Optional[Any] = None
    namespace: Optional[str] = None


@_model
class ResponseInputMessageItem(BaseModel):
    id: Optional[str] = None
    content: Optional[List[Any]] = None
    role: Optional[str] = None
    type: Optional[str] = None
    status: Optional[str] = None


_OUTPUT_ITEMS: Dict[str, Any] = {
    "message": ResponseOutputMessage, "function_call": ResponseFunctionToolCall, "reasoning": ResponseReasoningItem,
    "web_search_call": ResponseFunctionWebSearch, "custom_tool_call": ResponseCustomToolCall}
_ResponseOutputItem = _union("_ResponseOutputItem", _OUTPUT_ITEMS, BaseModel)
_ResponseInputItem = _union("_ResponseInputItem", dict(_OUTPUT_ITEMS, message=ResponseInputMessageItem), BaseModel)


@_model
class ResponseUsage(BaseModel):
    input_tokens: Optional[int] = None
    input_tokens_details: Optional[Dict[str, Any]] = None
    output_tokens: Optional[int] = None
    output_tokens_details: Optional[Dict[str, Any]] = None
    total_tokens: Optional[int] = None


@_model
class ResponseError(BaseModel):
    code: Optional[str] = None
    message: Optional[str] = None
    param: Optional[str] = None
    type: Optional[str] = None


@_model
class Response(BaseModel):
    """A response of the Responses API, as openai returns it; ``output_text`` joins its text."""

    id: Optional[str] = None
    access_programs: Optional[Any] = None
    created_at: Optional[float] = None
    error: Optional[ResponseError] = _typed(ResponseError)
    incomplete_details: Optional[Any] = None
    instructions: Optional[Any] = None
    metadata: Optional[Dict[str, str]] = None
    model: Optional[str] = None
    object: Optional[str] = None
    output: Optional[List[Any]] = _typed([_ResponseOutputItem])
    parallel_tool_calls: Optional[bool] = None
    temperature: Optional[float] = None
    tool_choice: Optional[Any] = None
    tools: Optional[List[Any]] = None
    top_p: Optional[float] = None
    background: Optional[bool] = None
    completed_at: Optional[float] = None
    conversation: Optional[Any] = None
    image: Optional[Any] = None
    input_transformations: Optional[Any] = None
    max_output_tokens: Optional[int] = None
    max_tool_calls: Optional[int] = None
    moderation: Optional[Any] = None
    previous_response_id: Optional[str] = None
    prompt: Optional[Any] = None
    prompt_cache_diagnostics: Optional[Any] = None
    prompt_cache_key: Optional[str] = None
    prompt_cache_options: Optional[Any] = None
    prompt_cache_retention: Optional[str] = None
    reasoning: Optional[Any] = None
    safety_identifier: Optional[str] = None
    service_tier: Optional[str] = None
    status: Optional[str] = None
    text: Optional[Any] = None
    tool_usage: Optional[Any] = None
    top_logprobs: Optional[int] = None
    truncation: Optional[str] = None
    usage: Optional[ResponseUsage] = _typed(ResponseUsage)
    user: Optional[str] = None
    _FLOATS = ("created_at", "temperature", "top_p", "completed_at")

    @property
    def output_text(self) -> str:
        """Every ``output_text`` part of every message item, joined ("" when there is none)."""
        texts: List[str] = []
        for item in self._data.get("output") or ():
            content = item.get("content") if isinstance(item, dict) and item.get("type") == "message" else None
            if isinstance(content, list):
                texts.extend(part["text"] for part in content if isinstance(part, dict)
                             and part.get("type") == "output_text" and isinstance(part.get("text"), str))
        return "".join(texts)


class ParsedResponse(Response):
    """What ``responses.parse`` and ``responses.stream`` give: output_text parts carry ``parsed``,
    function calls ``parsed_arguments``; ``output_parsed`` is the first ``parsed`` there is."""

    @property
    def output_parsed(self) -> Any:
        for item in self.output or ():
            if getattr(item, "type", None) == "message":
                for part in item.content or ():
                    parsed = getattr(part, "parsed", None) if getattr(part, "type", None) == "output_text" else None
                    if parsed is not None:
                        return parsed
        return None


ParsedResponse._from_json = staticmethod(_wrapper(ParsedResponse))  # type: ignore[assignment]


@_model
class ResponseStreamEvent(BaseModel):
    """One event of a streamed response: ``type`` and its fields (``response``, ``item``, ``part``
    typed); an event type openai knows reads as its class (``ResponseTextDeltaEvent``, ...)."""

    type: Optional[str] = None
    sequence_number: Optional[int] = None
    response: Optional[Response] = _typed(Response)
    item: Optional[Any] = _typed(_ResponseOutputItem)
    part: Optional[Any] = _typed(_ResponseContent)


# The event types openai 3.57 has a class for; the class is "Response" + the type in CamelCase + "Event"
# but for the few named otherwise.
_EVENT_TYPES = (
    "audio.delta audio.done audio.transcript.delta audio.transcript.done code_interpreter_call_code.delta "
    "code_interpreter_call_code.done code_interpreter_call.completed code_interpreter_call.in_progress "
    "code_interpreter_call.interpreting compaction.compacting completed content_part.added content_part.done created "
    "file_search_call.completed file_search_call.in_progress file_search_call.searching function_call_arguments.delta "
    "function_call_arguments.done shell_call_command.added shell_call_command.delta shell_call_command.done "
    "shell_call_output_content.delta shell_call_output_content.done in_progress failed incomplete output_item.added "
    "output_item.done reasoning_summary_part.added reasoning_summary_part.done reasoning_summary_text.delta "
    "reasoning_summary_text.done reasoning_text.delta reasoning_text.done refusal.delta refusal.done "
    "output_text.annotation.added web_search_call.completed web_search_call.in_progress web_search_call.searching "
    "mcp_call_arguments.delta mcp_call_arguments.done mcp_call.completed mcp_call.failed mcp_call.in_progress "
    "mcp_list_tools.completed mcp_list_tools.failed mcp_list_tools.in_progress queued custom_tool_call_input.delta "
    "custom_tool_call_input.done")
_EVENT_NAMES = {
    "error": "ResponseErrorEvent", "response.output_text.delta": "ResponseTextDeltaEvent",
    "response.output_text.done": "ResponseTextDoneEvent",
    "response.image_generation_call.completed": "ResponseImageGenCallCompletedEvent",
    "response.image_generation_call.generating": "ResponseImageGenCallGeneratingEvent",
    "response.image_generation_call.in_progress": "ResponseImageGenCallInProgressEvent",
    "response.image_generation_call.partial_image": "ResponseImageGenCallPartialImageEvent"}
_EVENT_READERS: Dict[str, Callable[[Dict[str, Any]], ResponseStreamEvent]] = {}  # filled on first use of each type


def _event_reader(kind: str) -> Callable[[Dict[str, Any]], ResponseStreamEvent]:
    """The function that reads an event of this type as its class (made the first time)."""
    reader = _EVENT_READERS.get(kind)
    if reader is None:
        name = _EVENT_NAMES.get(kind)
        if name is None and kind.startswith("response.") and kind[9:] in _EVENT_TYPES.split():
            name = "Response" + "".join(w.capitalize() for w in re.split(r"[._]", kind[9:])) + "Event"
        if name is None:
            return ResponseStreamEvent._from_json  # unknown: not remembered
        reader = _EVENT_READERS[kind] = _wrapper(type(name, (ResponseStreamEvent,), {"__module__": __name__}))
    return reader


_TERMINAL_EVENTS = frozenset(("response.completed", "response.failed", "response.incomplete", "error"))


def _event_object(data: str, stream: Any) -> Dict[str, Any]:
    """An event's data as a JSON object, read the slow way (DecodeError if it is not one)."""
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        raise DecodeError("a stream event is not JSON: {!r}".format(data[:200]), response=stream._http(),
                          error_model=ODataV4Format({})) from None
    if not isinstance(obj, dict):
        raise DecodeError("a stream event is not a JSON object: {!r}".format(data[:200]), response=stream._http(),
                          error_model=ODataV4Format({}))
    return obj


class _ResponseEvents:
    """The per-event step of a Responses stream (the rest is the chat streams'): every event read
    as its class; one with a truthy top-level ``"error"`` raises APIError; the body ending before
    a terminal event raises (APIConnectionError, once mapped) after the events that came."""

    _done: bool
    _terminal = False
    response: Any

    def _step(self, event: ServerSentEvent) -> Any:
        data = event[1]
        try:  # the C scanner itself, as the chat streams' step (the checks of json.loads cost more)
            obj, end = _scan_json(data, 0)
            if end != len(data) or type(obj) is not dict:
                raise ValueError
        except (StopIteration, ValueError, RecursionError):
            if data.startswith("[DONE]"):
                self._done = True
                return None
            obj = _event_object(data, self)  # spaces around it, or the error it is
        if obj.get("error"):
            raise self._event_error(obj["error"])
        kind = obj.get("type")
        if type(kind) is not str:
            kind = ""  # an odd "type" is data: the event reads as a ResponseStreamEvent
        if kind in _TERMINAL_EVENTS:
            self._terminal = True
        return (_EVENT_READERS.get(kind) or _event_reader(kind))(obj)

    def _event_error(self, error: Any) -> BaseException:
        """The error an event's top-level ``"error"`` is (openai's APIError, its body that value)."""
        said = error.get("message") if isinstance(error, Mapping) else None
        return APIError(said if isinstance(said, str) and said else "An error occurred during streaming",
                        getattr(self.response, "request", None), body=error)

    def _step_end(self) -> None:
        if not self._terminal:
            raise ServiceResponseError("the stream ended before its last event (response.completed, .failed, "
                                       ".incomplete or error): the response is incomplete")
        self._done = True  # the body was read to its end: the connection can be used again


class _ResponseEventStream(_ResponseEvents, Stream):
    """What ``responses.create(stream=True)`` returns: a Stream of ResponseStreamEvent."""


class _AsyncResponseEventStream(_ResponseEvents, AsyncStream):
    """``async for`` over a streamed response's events."""


# ---- parsed responses: text_format and strict function tools -------------------------

def _responses_tool(tool: Any) -> Any:
    """A tool for the Responses API: ``function_tool(...)``'s chat shape flattened (keeping what it
    was made from), any other tool as it is."""
    function = tool.get("function") if isinstance(tool, Mapping) and tool.get("type") == "function" else None
    if not isinstance(function, Mapping):
        return tool
    flat = _FunctionTool(type="function", name=function.get("name"), description=function.get("description"),
                         parameters=function.get("parameters"), strict=function.get("strict"))
    flat.target = getattr(tool, "target", None)
    return flat


def _parsed_call_arguments(tools: Any, item: Mapping[str, Any]) -> Tuple[Any, Any]:
    """A Responses function call item's ``parsed_arguments`` as (JSON, object): by a function tool of that name
    made by ``function_tool`` (an instance), or a strict one (the decoded JSON); else None."""
    if not isinstance(tools, (list, tuple)):
        return None, None
    tool = next((t for t in tools if isinstance(t, Mapping) and t.get("type") == "function"
                 and t.get("name") == item.get("name")), None)
    if tool is None or not (getattr(tool, "target", None) is not None or tool.get("strict")):
        return None, None
    value = json.loads(item.get("arguments") or "{}")
    if getattr(tool, "target", None) is not None:
        return value, _parse_tool_arguments(tool, item.get("arguments") or "{}")
    return value, value


def _parsed_text(text: Any, text_format: Any, phase: Any) -> Tuple[Any, Any]:
    """An output_text part's ``parsed`` as (JSON, instance of text_format); None unless a
    text_format was given and the message is a final answer (no phase, or "final_answer")."""
    if text_format is None or not isinstance(text, str) or phase not in (None, "final_answer"):
        return None, None
    value = json.loads(text)
    return value, _parse_as(text_format, value)


def _parsed_response(obj: Dict[str, Any], text_format: Any, tools: Any) -> ParsedResponse:
    """A response with ``parsed`` on its output_text parts and ``parsed_arguments`` on its function
    calls (null in its JSON when there is nothing to parse, as openai's)."""
    parsed: List[Tuple[Dict[str, Any], str, Any]] = []
    for item in obj.get("output") or ():
        if not isinstance(item, dict):
            continue
        if item.get("type") == "message":
            for part in item.get("content") or ():
                if isinstance(part, dict) and part.get("type") == "output_text":
                    part["parsed"], instance = _parsed_text(part.get("text"), text_format, item.get("phase"))
                    parsed.append((part, "parsed", instance))
        elif item.get("type") == "function_call":
            item["parsed_arguments"], instance = _parsed_call_arguments(tools, item)
            parsed.append((item, "parsed_arguments", instance))
    response = ParsedResponse._from_json(obj)
    for item_model in response.output or ():  # the instances, on the item objects (their JSON is in the document)
        for model in [item_model] + list(getattr(item_model, "content", None) or ()):
            for data, key, instance in parsed:
                if isinstance(model, BaseModel) and model._data is data:
                    model.__dict__[key] = instance
    return response


class _ResponseAssembly:
    """What ``responses.stream(...)``'s sync and async streams share: each event as openai's
    helper gives it (text and argument deltas with ``snapshot``, ``output_text.done`` with
    ``parsed``, ``response.completed`` with a ParsedResponse), and the final response."""

    def __init__(self, events: Any, text_format: Any, tools: Any, starting_after: Optional[int]) -> None:
        self._events, self._text_format, self._tools = events, text_format, tools
        self._starting_after = starting_after
        self._snapshots: Dict[str, str] = {}
        self._phases: Dict[str, Any] = {}
        self._completed: Optional[ParsedResponse] = None
        self.response = getattr(events, "response", None)

    def _take(self, event: ResponseStreamEvent) -> Optional[ResponseStreamEvent]:
        data = event._data
        kind, where = data.get("type"), repr(data.get("output_index"))  # a server's odd index is no error here
        if kind in ("response.output_text.delta", "response.function_call_arguments.delta"):
            key = "{} {} {!r}".format(kind, where, data.get("content_index"))
            delta = data.get("delta")
            data["snapshot"] = self._snapshots[key] = self._snapshots.get(key, "") + (
                delta if isinstance(delta, str) else "")
        elif kind == "response.output_item.added" and isinstance(data.get("item"), dict):
            self._phases[where] = data["item"].get("phase")
        elif kind == "response.output_text.done":
            data["parsed"], event.__dict__["parsed"] = _parsed_text(
                data.get("text"), self._text_format, self._phases.get(where))
        elif kind == "response.completed" and isinstance(data.get("response"), dict):
            self._completed = event.__dict__["response"] = _parsed_response(
                data["response"], self._text_format, self._tools)
        number = data.get("sequence_number")
        if self._starting_after is not None and isinstance(number, int) and number <= self._starting_after:
            return None
        return event

    def _final(self) -> ParsedResponse:
        if self._completed is None:
            raise RuntimeError("Didn't receive a `response.completed` event.")
        return self._completed


class ResponseStream(_ResponseAssembly):
    """The stream of ``with client.responses.stream(...) as stream``: its events, then
    ``get_final_response()``."""

    def __init__(self, events: Any, text_format: Any, tools: Any, starting_after: Optional[int]) -> None:
        super().__init__(events, text_format, tools, starting_after)
        self._iterator = self._iterate()

    def _iterate(self) -> Generator[ResponseStreamEvent, None, None]:
        try:
            for event in self._events:
                taken = self._take(event)
                if taken is not None:
                    yield taken
        finally:
            self._events.close()

    def __iter__(self) -> Iterator[ResponseStreamEvent]:
        return self._iterator

    def __next__(self) -> ResponseStreamEvent:
        return next(self._iterator)

    def until_done(self) -> ResponseStream:
        for _ in self:
            pass
        return self

    def get_final_response(self) -> ParsedResponse:
        """The ``response.completed`` event's response (reading the rest of the stream first);
        RuntimeError without one."""
        self.until_done()
        return self._final()

    def close(self) -> None:
        self._iterator.close()
        self._events.close()

    def __enter__(self) -> ResponseStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncResponseStream(_ResponseAssembly):
    """``async for`` over the events of ``async with client.responses.stream(...)``."""

    def __init__(self, events: Any, text_format: Any, tools: Any, starting_after: Optional[int]) -> None:
        super().__init__(events, text_format, tools, starting_after)
        self._iterator = self._iterate()

    async def _iterate(self) -> AsyncIterator[ResponseStreamEvent]:
        try:
            async for event in self._events:
                taken = self._take(event)
                if taken is not None:
                    yield taken
        finally:
            await self._events.close()

    def __aiter__(self) -> AsyncIterator[ResponseStreamEvent]:
        return self._iterator

    async def __anext__(self) -> ResponseStreamEvent:
        return await self._iterator.__anext__()

    async def until_done(self) -> AsyncResponseStream:
        async for _ in self:
            pass
        return self

    async def get_final_response(self) -> ParsedResponse:
        await self.until_done()
        return self._final()

    async def close(self) -> None:
        await self._iterator.aclose()  # type: ignore[attr-defined]
        await self._events.close()

    async def __aenter__(self) -> AsyncResponseStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class ResponseStreamManager:
    """What ``responses.stream(...)`` returns: nothing is sent until its ``with`` is entered."""

    def __init__(self, start: Callable[[], Any], text_format: Any, tools: Any, starting_after: Optional[int]) -> None:
        self._start, self._args = start, (text_format, tools, starting_after)
        self._stream: Any = None

    def __enter__(self) -> ResponseStream:
        self._stream = ResponseStream(self._start(), *self._args)
        return self._stream  # type: ignore[no-any-return]

    def __exit__(self, *exc: Any) -> None:
        if self._stream is not None:
            self._stream.close()


class AsyncResponseStreamManager(ResponseStreamManager):
    """``async with client.responses.stream(...) as stream``."""

    def __enter__(self) -> Any:
        raise TypeError("the async clients' responses.stream(...) is used with `async with`")

    async def __aenter__(self) -> AsyncResponseStream:
        self._stream = AsyncResponseStream(await self._start(), *self._args)
        return self._stream  # type: ignore[no-any-return]

    async def __aexit__(self, *exc: Any) -> None:
        if self._stream is not None:
            await self._stream.close()


# ---- the resource ----------------------------------------------------------------------

# responses.create's parameters, in the order openai puts them in the body.
_RESPONSES_PARAMS = (
    "model", "stream", "service_tier", "access_programs", "background", "background_options", "context_management",
    "conversation", "image", "include", "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata",
    "moderation", "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options",
    "prompt_cache_retention", "reasoning", "safety_identifier", "store", "stream_options", "temperature", "text",
    "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user")
_RETRIEVE_PARAMS = ("include", "include_obfuscation", "starting_after", "stream")
_INPUT_ITEMS_PARAMS = ("after", "include", "limit", "order")


def _response_id(value: Any) -> str:
    if not value:
        raise ValueError("Expected a non-empty value for `response_id` but received {!r}".format(value))
    return "/responses/" + _path_segment(str(value))


def _text_with_format(text: Any, text_format: Any) -> Dict[str, Any]:
    """``text`` with the strict json_schema format of ``text_format`` (a dataclass) merged in."""
    merged: Dict[str, Any] = dict(text or {}) if _given(text) else {}
    if "format" in merged:
        raise TypeError("Cannot mix and match text.format with text_format")
    schema = _response_format_for(text_format)["json_schema"]
    merged["format"] = {"type": "json_schema", "strict": True, "name": schema["name"], "schema": schema["schema"]}
    return merged


@_model
class SyncCursorPage(SyncPage):
    """A page of a list that goes on (``has_more``): iterating it goes through every page,
    each asked for with ``after=<the last id>``."""

    data: Optional[List[Any]] = _typed([_ResponseInputItem])
    has_more: Optional[bool] = None
    first_id: Optional[str] = None
    last_id: Optional[str] = None
    object: Optional[str] = None
    _fetch: Any = None  # after=... -> the next page (awaitable on the async clients)

    def has_next_page(self) -> bool:
        return bool(self.has_more and self.data)

    def _after(self) -> Any:
        last = self.data[-1] if self.data else None
        return getattr(last, "id", None)

    def iter_pages(self) -> Iterator[SyncPage]:
        page: Any = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page._fetch(page._after())

    def __iter__(self) -> Iterator[Any]:
        for page in self.iter_pages():
            yield from page.data or []


class AsyncCursorPage(SyncCursorPage):
    """``async for`` over every item of every page."""

    async def __aiter__(self) -> AsyncIterator[Any]:
        page: Any = self
        while True:
            for item in page.data or []:
                yield item
            if not page.has_next_page():
                return
            page = await page._fetch(page._after())


AsyncCursorPage._from_json = staticmethod(_wrapper(AsyncCursorPage))  # type: ignore[assignment]


class _AsyncCursorPager(_AsyncPager):
    async def __aiter__(self) -> AsyncIterator[Any]:
        page = await self._pending
        async for item in page:
            yield item


class InputItems(_Resource):
    """``client.responses.input_items``: ``list(response_id, after=, include=, limit=, order=)``."""

    def list(self, response_id: str, **params: Any) -> Any:
        path = _response_id(response_id) + "/input_items"
        _check_params(params, _INPUT_ITEMS_PARAMS + _CALL_OPTIONS, (), "list")
        query = {name: params[name] for name in _INPUT_ITEMS_PARAMS if name in params and _given(params[name])}
        asynchronous = self._client._ASYNC
        page_cls = AsyncCursorPage if asynchronous else SyncCursorPage

        def fetch(after: Any) -> Any:
            call = dict(params, extra_query=dict(dict(query, after=after), **(params.get("extra_query") or {})))
            return self._call("GET", path, None, call, read)

        def read(obj: Dict[str, Any]) -> Any:
            page = page_cls._from_json(obj)
            page.__dict__["_fetch"] = fetch
            return page
        first = dict(params, extra_query=dict(query, **(params.get("extra_query") or {})))
        result = self._call("GET", path, None, first, read)
        return _AsyncCursorPager(result) if asynchronous else result


class Responses(_Resource):
    """``client.responses``: ``create``, ``stream``, ``parse``, ``retrieve``, ``delete``, ``cancel``,
    ``input_items.list``."""

    def __init__(self, client: Any, raw: bool = False) -> None:
        super().__init__(client, raw)
        self.input_items = InputItems(client, raw)

    def _stream_cls(self) -> Any:
        return _AsyncResponseEventStream if self._client._ASYNC else _ResponseEventStream

    def create(self, **params: Any) -> Any:
        """A response (``stream=True``: a Stream of ResponseStreamEvent); every parameter openai
        documents is sent as given (None as null), plus ``extra_headers``, ``extra_query``,
        ``extra_body`` and ``timeout``."""
        _check_params(params, _RESPONSES_PARAMS + _CALL_OPTIONS, (), "create")
        body = _body_of(params, _RESPONSES_PARAMS, params.get("extra_body"))
        return self._call("POST", "/responses", body, params, Response._from_json,
                          stream=self._stream_cls() if params.get("stream") is True else False)

    def parse(self, *, text_format: Any = None, **params: Any) -> Any:
        """``create`` whose answer is a ParsedResponse: ``output_parsed`` an instance of
        ``text_format`` (a dataclass; its strict schema is sent as ``text.format``), function calls
        of ``function_tool(...)`` tools with ``parsed_arguments``."""
        _check_params(params, _RESPONSES_PARAMS + ("verbosity",) + _CALL_OPTIONS, (), "parse")
        if text_format is not None and _given(text_format):
            params["text"] = _text_with_format(params.get("text", NOT_GIVEN), text_format)
        else:
            text_format = None
        tools = params.get("tools")
        if tools is not None and _given(tools):
            tools = params["tools"] = [_responses_tool(t) for t in tools]
        body = _body_of(params, _RESPONSES_PARAMS + ("verbosity",), params.get("extra_body"))
        return self._call("POST", "/responses", body, params,
                          lambda obj: _parsed_response(obj, text_format, tools))

    def stream(self, *, response_id: Any = NOT_GIVEN, text_format: Any = NOT_GIVEN, starting_after: Any = NOT_GIVEN,
               **params: Any) -> Any:
        """A ResponseStreamManager: ``with client.responses.stream(model=..., input=...) as stream``
        (or ``response_id=`` to follow one in the background, from ``starting_after``); nothing is
        sent before the ``with``."""
        _check_params(params, _RESPONSES_PARAMS + _CALL_OPTIONS, (), "stream")
        new = [name for name in _RESPONSES_PARAMS
               if name not in ("stream", "tools") and _given(params.get(name, NOT_GIVEN))]
        if (_given(response_id) or _given(starting_after)) and new:
            raise ValueError("Cannot provide both response_id/starting_after can't be provided together with " +
                             ", ".join(new))
        tools = [_responses_tool(t) for t in params["tools"]] if params.get("tools") else None
        text_format = text_format if _given(text_format) else None
        manager = AsyncResponseStreamManager if self._client._ASYNC else ResponseStreamManager
        if new:
            for name in ("input", "model"):
                if not _given(params.get(name, NOT_GIVEN)):
                    raise ValueError("{} must be provided when creating a new response".format(name))
            if text_format is not None:
                params["text"] = _text_with_format(params.get("text", NOT_GIVEN), text_format)
            if tools is not None:
                params["tools"] = tools
            call = dict(params, stream=True)
            body = _body_of(call, _RESPONSES_PARAMS, params.get("extra_body"))
            return manager(lambda: self._call("POST", "/responses", body, call, Response._from_json,
                                              stream=self._stream_cls()), text_format, tools, None)
        if not _given(response_id):
            raise ValueError("model and input (or response_id) must be provided")
        path = _response_id(response_id)
        call = dict(params, extra_query=dict({"stream": True}, **(params.get("extra_query") or {})))
        return manager(lambda: self._call("GET", path, None, call, Response._from_json, stream=self._stream_cls()),
                       text_format, tools, starting_after if _given(starting_after) else None)

    def retrieve(self, response_id: str, **params: Any) -> Any:
        """The response of that id (``stream=True``: its events again, after ``starting_after``)."""
        path = _response_id(response_id)
        _check_params(params, _RETRIEVE_PARAMS + _CALL_OPTIONS, (), "retrieve")
        query = {name: params[name] for name in _RETRIEVE_PARAMS if name in params and _given(params[name])}
        call = dict(params, extra_query=dict(query, **(params.get("extra_query") or {})))
        return self._call("GET", path, None, call, Response._from_json,
                          stream=self._stream_cls() if params.get("stream") is True else False)

    def delete(self, response_id: str, **params: Any) -> Any:
        """Deletes the response; returns None."""
        path = _response_id(response_id)
        _check_params(params, _CALL_OPTIONS, (), "delete")
        call = dict(params, extra_headers=dict({"Accept": "*/*"}, **(params.get("extra_headers") or {})))
        return self._call("DELETE", path, None, call, None)

    def cancel(self, response_id: str, **params: Any) -> Any:
        """Cancels a background response; returns it."""
        path = _response_id(response_id)
        _check_params(params, _CALL_OPTIONS, (), "cancel")
        return self._call("POST", path + "/cancel", None, params, Response._from_json)


# ---- the clients ------------------------------------------------------------------

_TRANSPORT_SETTINGS = ("connection_verify", "ssl_context", "connection_limit")


class _FaceClient:
    """What OpenAI, AzureOpenAI and their async twins share: settings, headers, URLs and the
    operation every resource method runs (blocking or on the event loop)."""

    _ASYNC: ClassVar[bool] = False
    _SHELL: ClassVar[Any] = _BLOCKING
    _STREAM_CLS: ClassVar[Any] = Stream
    _NAME: ClassVar[str] = "OpenAI"

    api_key: str
    organization: Optional[str]
    project: Optional[str]
    _core: _Core

    def __init__(self, *, api_key: Union[str, Callable[[], str], None] = None, organization: Optional[str] = None,
                 project: Optional[str] = None, webhook_secret: Optional[str] = None, base_url: Optional[str] = None,
                 websocket_base_url: Optional[str] = None, timeout: Any = NOT_GIVEN, max_retries: int = 2,
                 default_headers: Optional[Mapping[str, str]] = None,
                 default_query: Optional[Mapping[str, Any]] = None, http_client: Any = None,
                 _strict_response_validation: bool = False, **kwargs: Any) -> None:
        """As openai's: ``api_key`` or ``OPENAI_API_KEY``, ``base_url`` or ``OPENAI_BASE_URL``
        (default ``https://api.openai.com/v1``), ``organization``/``OPENAI_ORG_ID``,
        ``project``/``OPENAI_PROJECT_ID``, ``timeout`` (600 s, 5 s to connect), ``max_retries`` (2)."""
        if api_key is None:
            api_key = os.environ.get("OPENAI_API_KEY")
        if not api_key:
            raise OpenAIError("Missing credentials. Please pass an `api_key`, or set the `OPENAI_API_KEY` "
                              "environment variable.")
        if base_url is None:
            base_url = os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        secret: Callable[[], Any] = _secret_source(api_key, "api_key")
        self.api_key = api_key if isinstance(api_key, str) else ""
        self._setup(_FaceAuth("Authorization", "Bearer ", secret, "api_key"), base_url, dict(
            api_key=api_key, organization=organization, project=project, webhook_secret=webhook_secret,
            base_url=base_url, websocket_base_url=websocket_base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, default_query=default_query, http_client=http_client), kwargs)

    def _setup(self, auth: AuthHook, base_url: str, init: Dict[str, Any], kwargs: Dict[str, Any]) -> None:
        """The rest of the constructor: ``init`` holds the arguments ``copy()`` starts from."""
        if init.get("http_client") is not None:
            raise TypeError("http_client is not supported: chatclient has its own transport (connection_verify=, "
                            "ssl_context=, connection_limit= configure it)")
        for name in kwargs:
            if name not in _TRANSPORT_SETTINGS:
                raise TypeError("{}() got an unexpected keyword argument {!r}".format(type(self).__name__, name))
        if init.get("organization") is None:
            init["organization"] = os.environ.get("OPENAI_ORG_ID")
        if init.get("project") is None:
            init["project"] = os.environ.get("OPENAI_PROJECT_ID")
        self._init = dict(init, **kwargs)
        self.organization, self.project = init["organization"], init["project"]
        self.webhook_secret = init.get("webhook_secret") or os.environ.get("OPENAI_WEBHOOK_SECRET")
        self.websocket_base_url = init.get("websocket_base_url")
        self.base_url = base_url
        timeout, max_retries = init["timeout"], init["max_retries"]
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError("max_retries must be a whole number >= 0, not {!r}".format(max_retries))
        self.timeout: Any = 600.0 if not _given(timeout) else timeout
        self.max_retries = max_retries
        self._options = _Options().updated(dict(
            _timeouts(timeout) if _given(timeout) else _DEFAULT_TIMEOUT,
            retry_policy="openai", retry_total=max_retries))
        self._custom_headers: Dict[str, Any] = dict(init.get("default_headers") or {})
        self._custom_query: Dict[str, Any] = dict(init.get("default_query") or {})
        self._user_agent = "{}/Python {}".format(self._NAME, _USER_AGENT)
        pool = _Pool(self._SHELL, kwargs.get("connection_verify", True), kwargs.get("ssl_context"),
                     limit=kwargs.get("connection_limit", 100))
        self._core = _Core(pool, auth, _origin(self._base_url))
        self.chat = Chat(self)
        self.beta = Beta(self)  # client.beta.chat.completions.parse(...), as code written for openai 1.x spells it
        self.embeddings = Embeddings(self)
        self.models = Models(self)
        self.responses = Responses(self)

    @property
    def base_url(self) -> str:
        """The base URL, ending with ``/``."""
        return self._base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        if not isinstance(url, str):
            raise TypeError("base_url must be a str, not {}".format(type(url).__name__))
        _split_url(url)
        self._base_url = url if url.endswith("/") else url + "/"

    @property
    def default_headers(self) -> Dict[str, str]:
        headers = {"Accept": "application/json", "Content-Type": "application/json", "User-Agent": self._user_agent}
        if self.organization is not None:
            headers["OpenAI-Organization"] = self.organization
        if self.project is not None:
            headers["OpenAI-Project"] = self.project
        headers.update(self._custom_headers)
        return headers

    @property
    def default_query(self) -> Dict[str, Any]:
        return dict(self._custom_query)

    # -- requests ----------------------------------------------------------------
    def _url(self, path: str, body: Optional[Mapping[str, Any]]) -> str:
        return self._base_url + path.lstrip("/")

    def _request(self, method: str, path: str, body: Optional[Dict[str, Any]],
                 call: Mapping[str, Any]) -> Tuple[HttpRequest, _Options]:
        """One request as openai builds it, and its transport settings (the call's ``timeout``)."""
        options = self._options
        timeout = call.get("timeout", NOT_GIVEN)
        if _given(timeout):
            options = options.updated(_timeouts(timeout))
        url = self._url(path, body)
        query = _query_string(self._custom_query, call.get("extra_query"))
        request = HttpRequest(method, url + ("&" if "?" in url else "?") + query if query else url)
        h = request.headers
        h["Accept"] = "application/json"
        if body is not None or method != "GET":  # as openai: a DELETE without a body says JSON too
            h["Content-Type"] = "application/json"
        h["User-Agent"] = self._user_agent
        if self.organization is not None:
            h["OpenAI-Organization"] = self.organization
        if self.project is not None:
            h["OpenAI-Project"] = self.project
        for headers in (self._custom_headers, call.get("extra_headers")):
            for name, value in (headers or {}).items():
                if _given(value):
                    h[name] = value
                else:
                    h.pop(name, None)
        if body is not None:
            request.content = json.dumps(body, default=_json_default, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")
        return request, options

    def _operation(self, method: str, path: str, body: Optional[Dict[str, Any]], call: Mapping[str, Any],
                   parse: Optional[Callable[[Any], Any]], stream: Any, raw: bool) -> Any:
        """Every resource method: send, then the parsed answer (or the stream), or the raw response."""
        request, options = self._request(method, path, body, call)
        core = self._core
        try:
            response = yield from _send(core.pool, request, options, core.auth, core.origin)
            if stream:
                if not 200 <= response.status_code < 300:
                    yield from _face_json(response)  # raises the error the status is
                cls = stream if isinstance(stream, type) else self._STREAM_CLS  # a class: that stream (Responses')
                result = cls(response, max_sse_line_bytes=options.max_sse_line_bytes,
                             max_sse_event_bytes=options.max_sse_event_bytes)
            elif parse is None:  # nothing to return (responses.delete): the body is read, not used
                try:
                    yield from _face_json(response)
                except APIResponseValidationError:
                    pass
                result = None
            else:
                obj = yield from _face_json(response)
                if not isinstance(obj, dict):
                    raise APIResponseValidationError(response, obj, message="the response body is not a JSON object")
                result = parse(obj)
                object.__setattr__(result, "_request_id", response.headers.get("x-request-id"))
        except AzureError as exc:  # chatclient's errors leave as openai's, mapped in one place
            raise _openai_error(exc, request) from exc
        return _RawResponse(response, result) if raw else result

    def _run(self, operation: Any) -> Any:
        """Carries out an operation with the client's shell (for the async clients: an awaitable)."""
        return self._SHELL.run(operation)

    # -- copies --------------------------------------------------------------------
    def copy(self: T, *, default_headers: Optional[Mapping[str, str]] = None,
             set_default_headers: Optional[Mapping[str, str]] = None, default_query: Optional[Mapping[str, Any]] = None,
             set_default_query: Optional[Mapping[str, Any]] = None, **changes: Any) -> T:
        """A new client with the same options but ``changes`` (sharing the connections)."""
        this: Any = self
        init = dict(this._init)
        if default_headers is not None and set_default_headers is not None:
            raise ValueError("The `default_headers` and `set_default_headers` arguments are mutually exclusive")
        if default_query is not None and set_default_query is not None:
            raise ValueError("The `default_query` and `set_default_query` arguments are mutually exclusive")
        init["default_headers"] = dict(set_default_headers) if set_default_headers is not None else \
            dict(this._custom_headers, **(default_headers or {}))
        init["default_query"] = dict(set_default_query) if set_default_query is not None else \
            dict(this._custom_query, **(default_query or {}))
        this._copy_changes(init, changes)
        for name, value in changes.items():
            if name not in init:
                raise TypeError("copy() got an unexpected keyword argument {!r}".format(name))
            if value is not None and _given(value) or (name == "timeout" and value is None):
                init[name] = value
        new: Any = type(self)(**init)
        new._core.pool = this._core.pool  # the same connections, as openai shares its http client
        return new  # type: ignore[no-any-return]

    with_options = copy

    def _copy_changes(self, init: Dict[str, Any], changes: Dict[str, Any]) -> None:
        """Adjusts ``init`` for a copy (Azure: a new credential replaces the others)."""

    def __repr__(self) -> str:
        return "<{} base_url={!r}>".format(type(self).__name__, self._base_url)


class OpenAI(_FaceClient):
    """openai's ``OpenAI`` client: ``client.chat.completions.create(...)``, ``client.embeddings``,
    ``client.models``; ``close()`` and a context manager."""

    def close(self) -> None:
        self._core.pool.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncOpenAI(_FaceClient):
    """openai's ``AsyncOpenAI``: the same resources, each call awaited; ``async with``."""

    _ASYNC = True
    _SHELL = _ASYNCIO
    _STREAM_CLS = AsyncStream
    _NAME = "AsyncOpenAI"

    async def close(self) -> None:
        self._core.pool.close()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


class _Azure(_FaceClient):
    """What AzureOpenAI and AsyncAzureOpenAI add: Azure's credentials, ``api-version`` and
    deployment routing."""

    def __init__(self, *, api_version: Optional[str] = None, azure_endpoint: Optional[str] = None,
                 azure_deployment: Optional[str] = None, api_key: Union[str, Callable[[], str], None] = None,
                 azure_ad_token: Optional[str] = None, azure_ad_token_provider: Any = None,
                 organization: Optional[str] = None, project: Optional[str] = None,
                 webhook_secret: Optional[str] = None, websocket_base_url: Optional[str] = None,
                 base_url: Optional[str] = None, timeout: Any = NOT_GIVEN, max_retries: int = 2,
                 default_headers: Optional[Mapping[str, str]] = None,
                 default_query: Optional[Mapping[str, Any]] = None, http_client: Any = None,
                 _strict_response_validation: bool = False, **kwargs: Any) -> None:
        """As openai's: ``api_key``/``AZURE_OPENAI_API_KEY`` (header ``api-key``), or
        ``azure_ad_token``/``AZURE_OPENAI_AD_TOKEN`` or ``azure_ad_token_provider`` (a function, or any
        chatclient credential) as ``Authorization: Bearer``; ``api_version``/``OPENAI_API_VERSION``;
        ``azure_endpoint``/``AZURE_OPENAI_ENDPOINT`` and ``azure_deployment``, or a ``base_url``."""
        if sum(x is not None for x in (api_key, azure_ad_token, azure_ad_token_provider)) > 1:
            raise OpenAIError("The `api_key`, `azure_ad_token` and `azure_ad_token_provider` arguments are "
                              "mutually exclusive; Only one can be passed at a time")
        if api_key is None and azure_ad_token is None and azure_ad_token_provider is None:
            azure_ad_token = os.environ.get("AZURE_OPENAI_AD_TOKEN")
            if azure_ad_token is None:
                api_key = os.environ.get("AZURE_OPENAI_API_KEY")
        if api_key is None and azure_ad_token is None and azure_ad_token_provider is None:
            raise OpenAIError("Missing credentials. Please pass one of `api_key`, `azure_ad_token`, "
                              "`azure_ad_token_provider`, or the `AZURE_OPENAI_API_KEY` or `AZURE_OPENAI_AD_TOKEN` "
                              "environment variables.")
        if api_version is None:
            api_version = os.environ.get("OPENAI_API_VERSION")
        self._v1 = base_url is not None and bool(re.search(r"/openai/v1/*$", urlsplit(base_url).path))
        if api_version is None and not self._v1:
            raise ValueError("Must provide either the `api_version` argument or the `OPENAI_API_VERSION` "
                             "environment variable")
        init = dict(api_version=api_version, azure_endpoint=azure_endpoint, azure_deployment=azure_deployment,
                    api_key=api_key, azure_ad_token=azure_ad_token, azure_ad_token_provider=azure_ad_token_provider,
                    organization=organization, project=project, webhook_secret=webhook_secret,
                    websocket_base_url=websocket_base_url, base_url=base_url, timeout=timeout,
                    max_retries=max_retries, default_headers=default_headers, default_query=default_query,
                    http_client=http_client)
        query = dict(default_query or {})
        if api_version is not None:
            query["api-version"] = api_version
        if base_url is None:
            if azure_endpoint is None:
                azure_endpoint = os.environ.get("AZURE_OPENAI_ENDPOINT")
            if azure_endpoint is None:
                raise ValueError("Must provide one of the `base_url` or `azure_endpoint` arguments, or the "
                                 "`AZURE_OPENAI_ENDPOINT` environment variable")
            base_url = azure_endpoint.rstrip("/") + "/openai" + (
                "/deployments/" + quote(azure_deployment) if azure_deployment is not None else "")
        elif azure_endpoint is not None:
            raise ValueError("base_url and azure_endpoint are mutually exclusive")
        self._api_version = api_version
        self._azure_endpoint = azure_endpoint
        self._azure_deployment = azure_deployment if azure_endpoint else None
        auth: AuthHook
        if azure_ad_token is not None:
            auth = _FaceAuth("Authorization", "Bearer ", _secret_source(azure_ad_token, "azure_ad_token"),
                             "azure_ad_token")
        elif azure_ad_token_provider is not None:
            if callable(getattr(azure_ad_token_provider, "get_token", None)):
                auth = BearerTokenAuth(azure_ad_token_provider, *_COGNITIVE_SCOPES)
            elif callable(azure_ad_token_provider):
                auth = _FaceAuth("Authorization", "Bearer ", azure_ad_token_provider, "azure_ad_token_provider")
            else:
                raise TypeError("azure_ad_token_provider must be a function that returns a token, or a "
                                "credential with get_token(), not {}".format(type(azure_ad_token_provider).__name__))
        else:
            auth = _FaceAuth("api-key", "", _secret_source(api_key, "api_key"), "api_key")
        self.api_key = api_key if isinstance(api_key, str) else ""
        self._setup(auth, base_url, dict(init, default_query=query), kwargs)
        self._init = dict(init, **kwargs)

    def _copy_changes(self, init: Dict[str, Any], changes: Dict[str, Any]) -> None:
        if any(changes.get(name) is not None for name in ("api_key", "azure_ad_token", "azure_ad_token_provider")):
            for name in ("api_key", "azure_ad_token", "azure_ad_token_provider"):
                init[name] = None
        if changes.get("base_url") is not None:
            init["azure_endpoint"] = init["azure_deployment"] = None
        init["default_query"] = {k: v for k, v in init["default_query"].items() if k != "api-version"}

    def _url(self, path: str, body: Optional[Mapping[str, Any]]) -> str:
        """Azure's routes: a deployment's paths under ``/deployments/{model}`` (unless the base URL
        names one, or is the v1 API's), other paths under ``{endpoint}/openai/``."""
        if path in _DEPLOYMENT_PATHS:
            model = body.get("model") if body is not None else None
            if model is not None and not self._v1 and "/deployments" not in urlsplit(self._base_url).path:
                path = "/deployments/" + _path_segment(str(model)) + path
        elif self._azure_deployment and self._azure_endpoint:
            return self._azure_endpoint.rstrip("/") + "/openai/" + path.lstrip("/")
        return self._base_url + path.lstrip("/")


class AzureOpenAI(_Azure, OpenAI):
    """openai's ``AzureOpenAI`` (a subclass of ``OpenAI``)."""

    _NAME = "AzureOpenAI"


class AsyncAzureOpenAI(_Azure, AsyncOpenAI):
    """openai's ``AsyncAzureOpenAI`` (a subclass of ``AsyncOpenAI``)."""

    _NAME = "AsyncAzureOpenAI"


# =============================================================================
# Command line (and the offline demo endpoint)
# =============================================================================

_EXIT_OK, _EXIT_SERVICE, _EXIT_USAGE = 0, 1, 2


def _demo_server() -> Tuple[str, Callable[[], None]]:
    """A tiny chat endpoint on 127.0.0.1 that streams its answer back word by word.
    Returns its URL and a function that stops it."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client went away (Ctrl-C, `| head`): not an error

        def do_GET(self) -> None:
            self._send(200, "application/json", json.dumps(
                {"model_name": "demo", "model_type": "chat-completion", "model_provider_name": "chatclient"}).encode())

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            prompt = str((body.get("messages") or [{}])[-1].get("content", ""))
            words = "You said: {}".format(prompt).split(" ")
            chunk = {"id": "demo-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": "demo"}
            if not body.get("stream"):
                message = {"role": "assistant", "content": " ".join(words)}
                answer = dict(chunk, object="chat.completion", choices=[
                    {"index": 0, "finish_reason": "stop", "message": message}],
                    usage={"prompt_tokens": len(prompt.split()), "completion_tokens": len(words),
                           "total_tokens": len(prompt.split()) + len(words)})
                self._send(200, "application/json", json.dumps(answer).encode())
                return
            events = [dict(chunk, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}}])]
            events += [dict(chunk, choices=[{"index": 0, "delta": {"content": (" " if i else "") + w}}])
                       for i, w in enumerate(words)]
            events.append(dict(chunk, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for data in [json.dumps(e).encode() for e in events] + [b"[DONE]"]:
                piece = b"data: " + data + b"\n\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                time.sleep(0.02)  # as a model would: one word at a time
            self.wfile.write(b"0\r\n\r\n")

        def _send(self, status: int, content_type: str, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # stops within 50 ms
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
    return "http://127.0.0.1:{}".format(server.server_address[1]), stop


# Where the command line finds its endpoint, key and model when --endpoint is not given: the
# first set whose endpoint variable is set (OpenAI's: or whose key is), taken as a whole.
_CLI_ENVIRONMENT = (  # (endpoint variable, key variable, model variable, default endpoint)
    ("AZURE_AI_CHAT_ENDPOINT", "AZURE_AI_CHAT_KEY", "AZURE_AI_CHAT_MODEL", None),
    ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", None, None),
    ("OPENAI_BASE_URL", "OPENAI_API_KEY", None, "https://api.openai.com/v1"),
)


class _UsageError(Exception):
    """Bad command-line usage, found before anything is sent (exit 2)."""


def _count(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    import argparse
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("must be a whole number >= 0, not {!r}".format(text))
    return value


def _cli_parser() -> Any:
    import argparse
    variables = "; ".join("{} / {}{}{}".format(e, k, " / " + m if m else "", " (default {})".format(d) if d else "")
                          for e, k, m, d in _CLI_ENVIRONMENT)
    parser = argparse.ArgumentParser(
        prog="chatclient", description="Ask a chat-completions endpoint (Azure OpenAI, Foundry, GitHub Models, "
        "OpenAI or any OpenAI-compatible one) and print the answer as it streams in.  With no prompt on a "
        "terminal: a conversation (/exit or Ctrl-D ends it, Ctrl-C stops an answer).",
        epilog="Without --endpoint, endpoint, key and model come from the first of these sets of environment "
        "variables whose endpoint is set: {}.  An Azure OpenAI or Foundry resource URL without a path means its "
        "/openai/v1 API; a URL ending in an operation's path (/chat/completions) means the endpoint before it.  "
        "Exit status: 0 done, 1 service or connection error, 2 bad usage, "
        "130 interrupted.".format(variables))
    parser.add_argument("prompt", nargs="?", help="the prompt; '-' reads it from standard input")
    parser.add_argument("--endpoint", help="endpoint URL (then the key comes only from --key)")
    parser.add_argument("--key", help="API key")
    parser.add_argument("--model", help="model or deployment name")
    parser.add_argument("--system", help="a system message, for the whole conversation")
    parser.add_argument("--temperature", type=float)
    parser.add_argument("--max-tokens", type=int)
    parser.add_argument("--api-version", help="api-version query ('' for none; default: the endpoint's kind decides)")
    parser.add_argument("--timeout", type=float, metavar="SECONDS", help="the longest wait for the answer to "
                        "start (connecting and retries included), then the longest silence in it")
    parser.add_argument("--retries", type=_count, default=3, help="retries on connect errors and 408/429/5xx (3)")
    parser.add_argument("--no-stream", action="store_true", help="wait for the whole answer")
    parser.add_argument("--responses", action="store_true", help="ask through the Responses API (POST .../responses; "
                        "a conversation's history stays on the server, by previous_response_id)")
    parser.add_argument("--json", action="store_true", help="print the whole response as JSON")
    parser.add_argument("--info", action="store_true", help="print the model behind the endpoint")
    parser.add_argument("--verbose", action="store_true", help="say which kind of endpoint, and each request id")
    parser.add_argument("--demo", action="store_true", help="answer from a built-in local endpoint (no network)")
    parser.add_argument("--version", action="version", version="chatclient " + __version__)
    return parser


def _cli_endpoint(args: Any, environ: Mapping[str, str]) -> Tuple[str, Optional[str], Optional[str], str]:
    """(endpoint, key, model) from the flags, else from the first set of environment variables; and
    where a key comes from ("--key" or the variable read when the endpoint came from the environment)."""
    endpoint, key, model, key_from = args.endpoint, args.key, args.model, "--key"
    if not endpoint:
        for endpoint_var, key_var, model_var, default in _CLI_ENVIRONMENT:
            endpoint = environ.get(endpoint_var) or (default if environ.get(key_var) else None)
            if endpoint:
                key_from = "--key" if key else key_var if environ.get(key_var) else "--key / set " + key_var
                key = key or environ.get(key_var) or None
                model = model or (environ.get(model_var) if model_var else None) or None
                break
        else:
            raise _UsageError("no endpoint: pass --endpoint or set one of " + ", ".join(
                e[0] for e in _CLI_ENVIRONMENT))
    return endpoint, key, model, key_from


class _Status:
    """What the command line shows on stderr besides errors: a waiting indicator (on a
    terminal only, erased when the answer starts), retry lines, and --verbose notes."""

    def __init__(self) -> None:
        self._terminal = sys.stderr.isatty()
        self._shown = False

    def waiting(self) -> None:
        if self._terminal and not self._shown:
            sys.stderr.write("...")
            sys.stderr.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self._shown = False

    def line(self, text: str) -> None:
        shown = self._shown
        self.clear()
        print("chatclient: " + text, file=sys.stderr, flush=True)
        if shown:
            self.waiting()


def _announce_retries(status: _Status) -> None:
    """Retries (the chatclient logger's INFO lines) as status lines on stderr."""
    import logging

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            status.line(record.getMessage())
    logger = logging.getLogger("chatclient")
    logger.addHandler(Handler(logging.INFO))
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _print_json(model: Model) -> None:
    _write(json.dumps(model.as_dict(), indent=2, ensure_ascii=False) + "\n")


class _ResponseUpdates(_ResponseEvents, StreamingChatCompletions):
    """--responses' stream: the Responses API's per-event step on the SDK face's stream, so that its
    errors are chatclient's, as the rest of the command line's."""

    def _event_error(self, error: Any) -> BaseException:
        return self._error(error if isinstance(error, Mapping) else {"message": str(error)})


def _responses_op(client: ChatCompletionsClient, body: Dict[str, Any], call: Dict[str, Any]) -> Any:
    """--responses' request: ``POST {endpoint}/responses`` through the chat client's own endpoint, auth,
    retries and timeouts; a Response, or (``"stream": true``) its events."""
    response, options = yield from client._call("POST", "/responses", _dumps(body), call)
    if body.get("stream") is not True:
        return Response._from_json((yield from client._json_of(response)))
    if not 200 <= response.status_code < 300:
        yield from client._json_of(response)  # raises the error the status is
    return _ResponseUpdates(response, max_sse_line_bytes=options.max_sse_line_bytes,
                            max_sse_event_bytes=options.max_sse_event_bytes)


def _responses_body(args: Any, client: ChatCompletionsClient) -> Dict[str, Any]:
    """What every --responses request says besides its input: model, instructions (--system), settings."""
    return {"model": client._defaults.get("model"), "instructions": args.system, "temperature": args.temperature,
            "max_output_tokens": args.max_tokens}


def _respond(args: Any, client: ChatCompletionsClient, body: Dict[str, Any], status: _Status,
             parts: List[str]) -> Optional[str]:
    """--responses: one answer to ``body`` (input, instructions, previous_response_id, ...), printed as
    ``_answer`` prints one; the id of the response, once it is complete (a later turn's previous_response_id)."""
    request_id = _request_id()
    if args.verbose:
        status.line("request id " + request_id)
    status.waiting()
    call: Dict[str, Any] = {"headers": {"x-ms-client-request-id": request_id}}
    body = {k: v for k, v in dict(body, stream=None if args.no_stream else True).items() if v is not None}
    try:
        if args.no_stream:
            result: Response = client._run(_responses_op(client, body, call))
            status.clear()
            parts.append(result.output_text)
            _print_json(result) if args.json else _write(result.output_text + "\n")
            return result.id if result.status == "completed" else None
        final: Optional[Response] = None
        with client._run(_responses_op(client, body, call)) as stream:
            for event in stream:
                kind, data = event.type, event._data
                if kind == "response.output_text.delta" and isinstance(data.get("delta"), str) and data["delta"]:
                    status.clear()
                    parts.append(data["delta"])
                    if not args.json:
                        _write(data["delta"])
                elif kind in ("response.completed", "response.incomplete"):
                    final = event.response
                elif kind in ("response.failed", "error"):  # the answer stops here: an error, as an error status
                    error = (data.get("response") or {}).get("error") if kind == "response.failed" else data
                    raise stream._error(error if isinstance(error, Mapping) else {"message": "the response failed"})
            if args.json and final is not None:
                _print_json(final)
        if not args.json:
            _write("\n")
        return final.id if final is not None and final.status == "completed" else None
    finally:
        status.clear()


def _answer(args: Any, client: ChatCompletionsClient, messages: List[Any], status: _Status,
            parts: List[str]) -> None:
    """Ask for one answer to ``messages`` and print it; its text is appended to ``parts``
    as it arrives, so an interrupted answer keeps what came."""
    request_id = _request_id()
    if args.verbose:
        status.line("request id " + request_id)
    status.waiting()
    call: Dict[str, Any] = {"headers": {"x-ms-client-request-id": request_id}}
    try:
        if args.no_stream:
            result = client.complete(messages=messages, **call)
            status.clear()
            text = (result.choices[0].message.content if result.choices and result.choices[0].message else "") or ""
            parts.append(text)
            _print_json(result) if args.json else _write(text + "\n")
            return
        with client.complete(messages=messages, stream=True, **call) as stream:
            for update in stream:
                for choice in update.choices or ():
                    content = choice.delta.content if choice.delta is not None and choice.index in (0, None) else None
                    if content:
                        status.clear()
                        parts.append(content)
                        if not args.json:
                            _write(content)
            if args.json:
                _print_json(stream.get_final_completion())
        if not args.json:
            _write("\n")
    finally:
        status.clear()


def _one_line(exc: AzureError, asked: Tuple[str, str], fix: str = "") -> str:
    """An error in one line: its type, the first line of its message, the request it answered (else
    the one ``asked``, as method and URL), and its hint (else ``fix``, what the command line knows to do)."""
    text = exc.message
    line = "{}: {}".format(type(exc).__name__, text.splitlines()[0] if text else "")
    request: Any = getattr(getattr(exc, "response", None), "request", None)
    method, url = (request.method, request.url) if isinstance(getattr(request, "url", None), str) else asked
    line += " ({} {})".format(method, _shown_url(url))
    hint = getattr(exc, "hint", None)
    return line + ("; hint: " + hint if hint else "; " + fix if fix else "")


def _conversation(args: Any, client: ChatCompletionsClient, history: List[Any], status: _Status) -> int:
    """Turns until /exit or end of input; Ctrl-C stops the answer under way and keeps what came of it."""
    try:
        import readline  # noqa: F401  (line editing and history for input(), where the platform has it)
    except ImportError:  # pragma: no cover
        pass
    previous: Optional[str] = None  # --responses: the last complete answer's id
    while True:
        try:
            line = input("> ").strip()
        except EOFError:
            _write("\n")
            return _EXIT_OK
        except KeyboardInterrupt:
            _write("\n")
            continue
        if line in ("/exit", "/quit"):
            return _EXIT_OK
        if not line:
            continue
        if args.responses:  # the history is on the server: each turn names the answer before it
            try:
                previous = _respond(args, client, dict(_responses_body(args, client), input=line,
                                                       previous_response_id=previous), status, []) or previous
            except KeyboardInterrupt:
                _write("\n")
            except AzureError as exc:
                status.line(_one_line(exc, ("POST", client._url("/responses"))))
            continue
        history.append(UserMessage(line))
        parts: List[str] = []
        try:
            _answer(args, client, history, status, parts)
        except KeyboardInterrupt:
            _write("\n")
        except AzureError as exc:
            status.line(_one_line(exc, ("POST", client._url("/chat/completions"))))
        if parts:
            history.append(AssistantMessage("".join(parts)))
        else:
            history.pop()  # no answer: the question is asked again or not at all


def _shown_url(url: str) -> str:
    """A URL as an error line shows it: no user info, and of its query only the names (values may be secrets)."""
    parts = urlsplit(url)
    names = [pair.partition("=")[0] for pair in parts.query.split("&") if pair]
    return "{}://{}{}{}".format(parts.scheme, parts.netloc.rpartition("@")[2], parts.path,
                                "?" + "&".join(name + "=..." for name in names) if names else "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python chatclient.py [options] [PROMPT]``: ask a chat endpoint, print the answer."""
    parser = _cli_parser()
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")  # what the terminal cannot show becomes '?', never an error
    stop: Optional[Callable[[], None]] = None
    status = _Status()
    parts: List[str] = []  # a one-shot answer as it arrives
    fix = ""  # what to do when the keyless credentials find nothing
    try:
        if args.demo:
            args.endpoint, stop = _demo_server()
            args.key = args.key or "demo-key"
        try:  # checking the arguments: nothing has been sent yet
            endpoint, key, model, key_from = _cli_endpoint(args, os.environ)
            if args.prompt is None and not args.info and not sys.stdin.isatty():
                raise _UsageError("no prompt: give one, or '-' to read it from standard input")
            kind = _endpoint_kind(endpoint)
            if kind.model_required and not model and not args.info:
                raise _UsageError("{} endpoints need the deployment: pass --model <deployment name>".format(kind.name))
            timeouts = {} if args.timeout is None else dict(
                timeout=args.timeout, connection_timeout=args.timeout, read_timeout=args.timeout)
            credential: Any = AzureKeyCredential(key) if key else None
            if credential is None and (urlsplit(endpoint).hostname or "").lower().endswith(".azure.com"):
                credential = DefaultAzureCredential()  # no key anywhere: Microsoft Entra ID, keyless
                fix = "or pass " + key_from
            client = ChatCompletionsClient(
                endpoint, credential, model=model, temperature=args.temperature,
                max_tokens=args.max_tokens, retry_total=args.retries,
                **({} if args.api_version is None else {"api_version": args.api_version}), **timeouts)
        except (_UsageError, ValueError, TypeError) as exc:
            parser.print_usage(sys.stderr)
            print("chatclient: error: {}".format(exc), file=sys.stderr)
            return _EXIT_USAGE
        _announce_retries(status)
        if args.verbose:
            name = "demo endpoint (built in)" if args.demo else kind.name + " endpoint"
            status.line("{} {}".format(name, client._base))
            if isinstance(credential, DefaultAzureCredential):
                status.line("no key: using DefaultAzureCredential (Microsoft Entra ID)")
            else:
                status.line("key: the demo's own" if args.demo else "key from " + key_from if key else
                            "no key was given (pass {})".format(key_from))
        with client:
            if args.info:
                info = client.get_model_info()
                if args.json:
                    _print_json(info)
                else:
                    about = [str(getattr(v, "value", v)) for v in (info.model_type, info.model_provider_name) if v]
                    _write("{}{}\n".format(info.model_name, " ({})".format(", ".join(about)) if about else ""))
                return _EXIT_OK
            history: List[Any] = [SystemMessage(args.system)] if args.system and not args.responses else []
            if args.prompt is None:
                return _conversation(args, client, history, status)
            prompt = sys.stdin.read() if args.prompt == "-" else args.prompt
            if args.responses:
                _respond(args, client, dict(_responses_body(args, client), input=prompt), status, parts)
                return _EXIT_OK
            history.append(UserMessage(prompt))
            _answer(args, client, history, status, parts)
            return _EXIT_OK
    except AzureError as exc:
        asked = ("GET", client._url("/info" if kind.info_route else "/models")) if args.info else \
            ("POST", client._url("/responses" if args.responses else "/chat/completions"))
        status.line(_one_line(exc, asked, fix if isinstance(exc, ClientAuthenticationError) else ""))
        return _EXIT_SERVICE
    except KeyboardInterrupt:
        status.clear()
        shown = parts and not args.json  # the answer's text, cut short: the shell's prompt goes on a line of its own
        try:
            if shown or sys.stderr.isatty():
                print(file=sys.stdout if shown else sys.stderr, flush=True)
        except OSError:
            pass
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): end quietly, as head expects
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _EXIT_OK
    finally:
        if stop is not None:
            stop()


if __name__ == "__main__":
    sys.exit(main())

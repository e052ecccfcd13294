"""Property-based tests (hypothesis): every operation of the API, fed hostile input.

The operations are read from the API itself, so that a new one is covered without editing this
file: Django's URL resolver gives every path the API serves, the OpenAPI document each path's
operations with their body schema and query parameters. A path the document leaves out is served
as its other spelling is (``auth/token/``, ``token/login``), or is a page (docs, schema, root).

The input is outside the schema on purpose: JSON values of every type (huge integers, NaN, lone
UTF-16 surrogates and NUL written as JSON escapes), objects holding the operation's own field
names with hostile values, every kind of body (invalid UTF-8, multipart and urlencoded forms,
text, empty, a lying Content-Length), JSON nested hundreds to a hundred thousand levels deep,
path ids of every kind and of none, and hostile query strings; as anonymous, alice and staff
(and with tokens that must not work: a refresh token, an unsigned one).

For every request:
- never a 5xx;
- the body is JSON with ``Content-Type: application/json`` (a 204, and HEAD, have no body; the
  docs page is HTML);
- a refused request (4xx) leaves the database (users with their password hashes and emails, cats,
  achievements, tokens) and the stored photos as they were.
And:
- a body that is not a JSON object, or that holds a lone surrogate or NUL, never gets a 2xx from
  an operation that takes a body;
- an id in a path that names no object of its kind (``me`` names the caller) is 404 ``{"detail"}``.

Each example runs in a savepoint that is rolled back after it, with the rate limits cleared, so
examples share the test's data without seeing each other's writes. Hypothesis is derandomized.
"""

from __future__ import annotations

import base64
import copy
import functools
import io
import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ninja_jwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from PIL import Image

from django_catgram.api import URLS_NAMESPACE, api
from django_catgram.models import Achievement, Cat, LoginSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
OTHER_METHODS = ("HEAD", "OPTIONS")
CALLERS = ("anonymous", "alice", "staff")
# Callers with a token that must not work: alice's refresh token, and one signed with "none".
BAD_CALLERS = ("alice.refresh", "unsigned")
UNSIGNED = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwidXNlcl9pZCI6MX0."
PARAMETER = re.compile(r"{(\w+)}")


# CATGRAM_PROPERTY_SCALE scales every test's number of examples: tox runs them in full on one
# SQLite and the PostgreSQL environments, and a quarter of them on the rest of the matrix.
SCALE = float(os.environ.get("CATGRAM_PROPERTY_SCALE", "1"))


def fuzz(max_examples: int) -> settings:
    """Deterministic runs; data comes from a fixture and is restored after each example."""
    return settings(
        max_examples=max(3, round(max_examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            # The data is the test's, shared by its examples: each example's writes are undone.
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# The operations, from the API itself.


def mounted_api() -> tuple[str, list[Any]]:
    """Where the URLconf mounts the API (``/api/``), and the API's URL patterns."""

    def walk(patterns: list[Any], prefix: str) -> tuple[str, list[Any]] | None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                here = prefix + str(pattern.pattern)
                if pattern.namespace == URLS_NAMESPACE:
                    return here, pattern.url_patterns
                if found := walk(pattern.url_patterns, here):
                    return found
        return None

    found = walk(get_resolver().url_patterns, "/")
    assert found, f"the URLconf mounts no {URLS_NAMESPACE!r} namespace"
    return found


PREFIX, PATTERNS = mounted_api()
SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA.get("components", {}).get("schemas", {})
DOCS_PAGE = (api.docs_url or "").lstrip("/")


def inline(schema: Any) -> Any:
    """``schema`` with every ``$ref`` replaced by the component it names."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return inline(COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]])
        return {key: inline(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [inline(value) for value in schema]
    return schema


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as the API spells it, relative to where it is mounted: "cats/{cat_id}/"
    body: dict[str, Any] | None = None  # the JSON schema of its body; None if it takes none
    query: tuple[str, ...] = ()
    page: bool = False  # a page of the API's (docs, schema, root), not an operation of Ninja's
    route: str = ""  # the route Django's resolver reports for the path: "api/cats/<int:cat_id>/"

    def __str__(self) -> str:
        return f"{self.method} {self.path or '(root)'}"

    @property
    def parameters(self) -> list[str]:
        return PARAMETER.findall(self.path)


def served_paths() -> dict[str, str]:
    """Every path of the API's URL patterns, in the API's spelling, in order, with its route."""
    paths: dict[str, str] = {}
    for pattern in PATTERNS:
        if isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            paths.setdefault(path, PREFIX.lstrip("/") + str(pattern.pattern))
    return paths


def other_spelling(path: str) -> str:
    """The path with its trailing slash, or without it."""
    return path[:-1] if path.endswith("/") else f"{path}/"


def documented(path: str) -> dict[str, Any] | None:
    return SCHEMA["paths"].get(PREFIX + path)


def discover() -> list[Operation]:
    operations = []
    for path, route in served_paths().items():
        item = documented(path) or (path and documented(other_spelling(path)))
        if not item:
            operations.append(Operation("GET", path, page=True, route=route))
            continue
        for method, operation in item.items():
            if method.upper() not in METHODS:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json") or next(iter(content.values()), None)
            query = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            schema = inline(body["schema"]) if body else None
            operations.append(Operation(method.upper(), path, schema, query, route=route))
    return operations


OPERATIONS = discover()
BODY_OPERATIONS = [op for op in OPERATIONS if op.body is not None]
ID_OPERATIONS = [op for op in OPERATIONS if op.parameters]
QUERY_OPERATIONS = [op for op in OPERATIONS if op.query]
PATHS = list(dict.fromkeys(op.path for op in OPERATIONS))
ROUTES = {op.route for op in OPERATIONS}
SERVED = {path: {op.method for op in OPERATIONS if op.path == path} for path in PATHS}
UNSERVED = {
    path: [m for m in METHODS + OTHER_METHODS if m not in SERVED[path]]
    for path in PATHS
    if any(m not in SERVED[path] for m in METHODS + OTHER_METHODS)
}


def schema_types(schema: dict[str, Any]) -> set[str]:
    types = schema.get("type", [])
    found = {types} if isinstance(types, str) else set(types)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        found |= schema_types(alternative)
    return found


def properties(schema: dict[str, Any] | None) -> dict[str, Any]:
    return (schema or {}).get("properties", {})


def field_names(schema: Any) -> list[str]:
    """Every property name in ``schema``, those of nested objects too."""
    names: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for name, sub in node.get("properties", {}).items():
            if name not in names:
                names.append(name)
            walk(sub)
        walk(node.get("items"))
        walk(node.get("additionalProperties"))
        for alternative in node.get("anyOf", []) + node.get("oneOf", []) + node.get("allOf", []):
            walk(alternative)

    walk(schema)
    return names


# Values.


@dataclass(frozen=True)
class Known:
    """A value of the test's data, filled in at request time: a token, an id, a photo."""

    name: str


def image_bytes(kind: str, size: tuple[int, int] = (2, 2), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, kind)
    return buffer.getvalue()


PNG = image_bytes("PNG")
GIF = image_bytes("GIF")


@functools.cache
def big_png() -> bytes:
    """A small file of 36 megapixels: over the photo limit."""
    return image_bytes("PNG", (6000, 6000), "1")


def data_url(kind: str, data: bytes) -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


SURROGATES = ("\ud800", "\udbff", "\udc00", "\udfff")
ODD_CHARACTERS = ("\x00", *SURROGATES, "\ufeff", "\u2028", "\u202e", "\u0301", "\U0001f431")
CHARACTERS = st.one_of(
    st.characters(), st.sampled_from(ODD_CHARACTERS + ("\\", '"', "/", "%", "\n", "\x7f"))
)
KNOWN_VALUES = st.sampled_from(
    [
        "alice.access",
        "alice.refresh",
        "staff.access",
        "staff.refresh",
        "alice.uid",
        "alice.reset_token",
        "alice.username",
        "alice.email",
        "password",
        "png",
        "gif",
        "user#0",
        "user#1",
        "cat#0",
        "cat#1",
        "achievement#0",
        "big_png",
    ]
).map(Known)
SPECIAL_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        *SURROGATES,
        "cat\ud83d",
        "\ud800@example.com",
        "me",
        "null",
        "NaN",
        "-Infinity",
        "2020",
        " 2020 ",
        "2020.0",
        "-1",
        "1e400",
        "9" * 5000,
        "١٩٩٠",
        "%s%n",
        "'; DROP TABLE django_catgram_cat; --",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "#A9A9A9",
        "#abc",
        "#GGGGGG",
        "#1234567",
        "rgb(0, 0, 0)",
        "transparent",
        "data:image/png;base64,",
        "data:image/png;base64,!!!!",
        "data:image/png;base64," + base64.b64encode(PNG).decode()[:-8],
        data_url("gif", PNG),
        data_url("png", b"not an image"),
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "data:text/plain;base64,aGVsbG8=",
        UNSIGNED,
        "a.b.c",
    ]
)
# Strings around the database columns' lengths (16, 32, 64, 150, 254) and far over them.
LONG_STRINGS = st.builds(
    lambda character, length: character * length,
    st.sampled_from(["a", "é", "\U0001f431", " "]),
    st.sampled_from([15, 16, 17, 32, 33, 63, 64, 65, 150, 151, 254, 255, 256, 320, 321, 5000]),
)
EMAILS = st.builds(
    lambda length, domain: "a" * length + "@" + domain,
    st.one_of(st.integers(240, 310), st.integers(1, 400)),
    st.sampled_from(["example.com", "EXAMPLE.COM", "x." + "a" * 63, "[127.0.0.1]", "localhost"]),
)
HOSTILE_STRINGS = st.one_of(SPECIAL_STRINGS, st.text(CHARACTERS, max_size=24), LONG_STRINGS, EMAILS)
HUGE_INTEGERS = st.one_of(
    st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**40, -(10**40), 10**300]),
    st.integers(min_value=-(10**1000), max_value=10**1000),
)
NUMBERS = st.one_of(st.integers(), HUGE_INTEGERS, st.floats())
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, HOSTILE_STRINGS, KNOWN_VALUES)


def json_values(keys: st.SearchStrategy[str] = HOSTILE_STRINGS) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
        ),
        max_leaves=12,
    )


JSON_VALUES = json_values()
NOT_OBJECTS = st.one_of(SCALARS, st.lists(JSON_VALUES, max_size=4))

# Values each field is meant to take, the first one a good one: with them an operation gets
# past its validation, so that a hostile value in one field reaches the code behind it.
WELL_FORMED: dict[str, tuple[Any, ...]] = {
    "username": (Known("alice.username"), "newcomer"),
    "password": (PASSWORD, "Whiskers-Anew-77"),
    "email": ("new@example.com", Known("alice.email"), ""),
    "current_password": (PASSWORD,),
    "new_password": ("Whiskers-Anew-77",),
    "new_username": ("renamed",),
    "uid": (Known("alice.uid"),),
    "token": (Known("alice.access"), Known("alice.reset_token"), Known("alice.refresh")),
    "refresh": (Known("alice.refresh"), Known("staff.refresh")),
    "name": ("Tom",),
    "color": ("red", "#A9A9A9"),
    "birth_year": (2020, "2020"),
    "achievements": ([{"achievement_name": "Purrs"}], [], [{"achievement_name": "Catches mice"}]),
    "achievement_name": ("Purrs", "Catches mice"),
    "image": (None, Known("png"), Known("gif")),
}
QUERY_VALUES: dict[str, tuple[str, ...]] = {
    "owner": ("me", "1"),
    "color": ("red", "#A9A9A9"),
    "birth_year": ("2020",),
    "birth_year_min": ("1900",),
    "birth_year_max": ("2030",),
    "achievement": ("Catches mice",),
    "search": ("ar",),
    "ordering": ("-name", "birth_year", "id"),
    "page": ("1", "2"),
}


def example_of(schema: dict[str, Any]) -> Any:
    types = schema_types(schema)
    if "object" in types:
        required = schema.get("required", [])
        return {
            name: well_formed_values(name, sub)[0]
            for name, sub in properties(schema).items()
            if name in required
        }
    if "array" in types:
        return []
    if types & {"integer", "number"}:
        return 1
    if "boolean" in types:
        return False
    if "string" in types:
        return "x"
    return None


def well_formed_values(name: str, schema: dict[str, Any]) -> tuple[Any, ...]:
    return WELL_FORMED.get(name) or (example_of(schema),)


def well_formed(op: Operation) -> dict[str, Any]:
    """A body the operation takes, when its target exists and the caller may change it."""
    return {name: well_formed_values(name, sub)[0] for name, sub in properties(op.body).items()}


def shaped(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of the schema's shape (objects, lists of objects) with hostile leaves, or anything."""
    alternatives = [SCALARS if depth else JSON_VALUES]
    types = schema_types(schema)
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        if properties(alternative) or alternative.get("items"):
            alternatives.append(shaped(alternative, depth + 1))
    if "string" in types:
        alternatives += [HOSTILE_STRINGS, LONG_STRINGS, EMAILS]
    if types & {"integer", "number"}:
        alternatives.append(st.one_of(NUMBERS, NUMBERS.map(str)))
    if "array" in types and depth < 3:
        alternatives.append(st.lists(shaped(schema.get("items", {}), depth + 1), max_size=4))
    if properties(schema) and depth < 3:
        alternatives.append(objects_of(schema, depth + 1))
    return st.one_of(*alternatives)


def objects_of(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the schema's field names: each field well formed or hostile, or absent."""
    fields = {
        name: st.one_of(st.sampled_from(well_formed_values(name, sub)), shaped(sub, depth))
        for name, sub in properties(schema).items()
    }
    required = [name for name in schema.get("required", []) if name in fields]
    complete = st.fixed_dictionaries(
        {name: fields[name] for name in required},
        optional={name: value for name, value in fields.items() if name not in required},
    )
    partial = st.fixed_dictionaries({}, optional=fields)
    extra = st.dictionaries(HOSTILE_STRINGS, SCALARS, max_size=2)
    return st.builds(with_extra_keys, st.one_of(complete, partial), extra)


def with_extra_keys(fields: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {**extra, **fields}


# Requests.


@dataclass(frozen=True)
class JsonBody:
    """A JSON value, written with ``ensure_ascii`` so that lone surrogates travel as escapes."""

    value: Any
    content_type: str = "application/json"

    def encode(self, world: World) -> bytes:
        return json.dumps(world.resolve(self.value), ensure_ascii=True).encode()


class RawBody:
    """Bytes as they are (a str is encoded as UTF-8, surrogates included)."""

    def __init__(self, data: bytes | str, content_type: str = "application/json") -> None:
        self.data = data
        self.content_type = content_type

    def encode(self, world: World) -> bytes:
        return encode(self.data)

    def __repr__(self) -> str:
        shown = self.data if len(self.data) <= 200 else self.data[:60]
        more = "" if len(self.data) <= 200 else f"... ({len(self.data)} long)"
        return f"RawBody({shown!r}{more}, content_type={self.content_type!r})"


@dataclass(frozen=True)
class DeepBody:
    """JSON nested ``depth`` levels deep, alone or as the value of a field of a good body."""

    shape: str
    depth: int
    field: str | None = None
    around: Any = None

    def encode(self, world: World) -> bytes:
        opening, leaf, closing = {
            "arrays": ("[", "", "]"),
            "objects": ('{"a": ', "1", "}"),
            "mixed": ('[{"a": ', "null", "}]"),
            "unclosed": ("[", "", ""),
        }[self.shape]
        nested = opening * self.depth + leaf + closing * self.depth
        if self.field is None:
            return nested.encode()
        around = dict(world.resolve(self.around) or {})
        around.pop(self.field, None)
        members = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in around.items()]
        members.append(f"{json.dumps(self.field)}: {nested}")
        return ("{" + ", ".join(members) + "}").encode()

    @property
    def content_type(self) -> str:
        return "application/json"


@dataclass(frozen=True)
class FormBody:
    """A form: urlencoded, or multipart with parts ``(name, value, filename, content type)``."""

    kind: str
    parts: tuple[tuple[Any, Any, str | None, str | None], ...]
    content_type: str = ""

    def encode(self, world: World) -> bytes:
        values = [
            (encode(str(name)), value_bytes(world.resolve(value))) for name, value, *_ in self.parts
        ]
        if self.kind == "urlencoded":
            return b"&".join(
                quote(name).encode() + b"=" + quote(value).encode() for name, value in values
            )
        body = b""
        for (name, value), (_, _, filename, content_type) in zip(values, self.parts, strict=True):
            disposition = b'form-data; name="' + name + b'"'
            if filename is not None:
                disposition += b'; filename="' + encode(filename) + b'"'
            body += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition + b"\r\n"
            if content_type:
                body += b"Content-Type: " + encode(content_type) + b"\r\n"
            body += b"\r\n" + value + b"\r\n"
        return body + b"--" + BOUNDARY + b"--\r\n"


BOUNDARY = b"catgram-boundary"


def encode(text: bytes | str) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def value_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | str):
        return encode(value)
    return json.dumps(value, ensure_ascii=True).encode()


@dataclass(frozen=True)
class Call:
    """One request: an operation's method and path, with its ids, body, query and caller."""

    method: str
    path: str
    caller: str = "anonymous"
    ids: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    query: tuple[tuple[Any, Any], ...] | str = ()
    environ: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    """The test's users, cats, achievements and tokens, and the client that calls the API."""

    client: Client
    known: dict[str, Any]
    ids: dict[str, list[int]]
    tokens: dict[str, str]
    user_ids: dict[str, int]
    photos: dict[str, bytes]

    def resolve(self, value: Any) -> Any:
        if isinstance(value, Known):
            return self.known.get(value.name, 0)
        if isinstance(value, Spoiled):
            text = self.resolve(value.value)
            text = "" if text is None else str(text)
            at = min(value.at, len(text))
            return text[:at] + value.spoiler + text[at:]
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def url(self, call: Call) -> str:
        ids = {
            name: quote(encode(str(self.resolve(value))), safe="")
            for name, value in call.ids.items()
        }
        url = PREFIX + call.path.format(**ids)
        if isinstance(call.query, str):
            return f"{url}?{call.query}" if call.query else url
        if call.query:
            pairs = [
                (quote(encode(str(self.resolve(k)))), quote(encode(str(self.resolve(v)))))
                for k, v in call.query
            ]
            url += "?" + "&".join(f"{name}={value}" for name, value in pairs)
        return url

    def send(self, call: Call) -> Any:
        headers = {}
        if call.caller != "anonymous":
            headers["Authorization"] = f"Bearer {self.tokens[call.caller]}"
        data = call.body.encode(self) if call.body is not None else b""
        content_type = call.body.content_type if call.body is not None else "application/json"
        if content_type == "multipart/form-data":
            content_type += "; boundary=" + BOUNDARY.decode()
        environ = dict(call.environ)
        if not data:  # Django's client sends a content type only with a body
            environ.setdefault("CONTENT_TYPE", content_type)
        return self.client.generic(
            call.method,
            self.url(call),
            data=data,
            content_type=content_type,
            headers=headers,
            **environ,
        )

    def check(self, call: Call, html_page: bool = False) -> Any:
        """Send ``call`` and check the properties every answer has; undo its writes after."""
        try:
            with transaction.atomic():
                cache.clear()  # rate limits: each example starts with none used
                before = snapshot()
                response = self.send(call)
                assert_answer(call, response, html_page)
                if 400 <= response.status_code < 500:
                    after = snapshot()
                    changed = [name for name in before if before[name] != after[name]]
                    assert not changed, (
                        f"{describe(response)}: the refused request changed {changed}"
                    )
                transaction.set_rollback(True)
        finally:
            self.restore_photos()
        return response

    def visible(self, kind: str, caller: str) -> set[int]:
        """Ids of ``kind`` that name an object the caller may see."""
        if kind == "user" and caller != "staff":
            return {self.user_ids[caller]}
        if kind == "session":  # one's own, staff or not
            return set(
                LoginSession.objects.filter(user_id=self.user_ids.get(caller)).values_list(
                    "pk", flat=True
                )
            )
        return set(self.ids.get(kind, []))

    def restore_photos(self) -> None:
        stored = set(stored_files())
        for name in stored - self.photos.keys():
            default_storage.delete(name)
        for name in self.photos.keys() - stored:
            default_storage.save(name, ContentFile(self.photos[name]))


def stored_files(folder: str = "") -> list[str]:
    folders, files = default_storage.listdir(folder)
    names = [folder + name for name in files]
    for name in folders:
        names += stored_files(f"{folder}{name}/")
    return sorted(names)


def snapshot() -> dict[str, Any]:
    """The rows of the app's tables, the users' and the tokens', and the stored files."""
    models = [*Cat._meta.app_config.get_models(), get_user_model(), OutstandingToken]
    models.append(BlacklistedToken)
    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in models:
            table, pk = (
                connection.ops.quote_name(n) for n in (model._meta.db_table, model._meta.pk.column)
            )
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # raw SQL: 10 times quicker
            state[model._meta.label] = cursor.fetchall()
    state["storage"] = stored_files()
    return state


def describe(response: Any) -> str:
    request = response.request
    query = f"?{request['QUERY_STRING']}" if request.get("QUERY_STRING") else ""
    text = (
        f"{request['REQUEST_METHOD']} {request['PATH_INFO']}{query} -> {response.status_code} "
        f"{response.get('Content-Type')} {response.content[:300]!r}"
    )
    if getattr(response, "exc_info", None):
        text += f" (raised {response.exc_info[1]!r})"
    return text


def assert_answer(call: Call, response: Any, html_page: bool = False) -> None:
    status = response.status_code
    assert status < 500, describe(response)
    if status == 204 or call.method == "HEAD":
        assert response.content == b"", describe(response)
        return
    content_type = response.get("Content-Type", "")
    if html_page and content_type.startswith("text/html"):
        return
    assert content_type.split(";")[0].strip() == "application/json", describe(response)
    try:
        json.loads(response.content)
    except ValueError:
        pytest.fail(f"not JSON: {describe(response)}")


@pytest.fixture
def world(alice, bob, staff):
    client = Client(raise_request_exception=False)
    tokens, refresh = {}, {}
    for user in (alice, staff):
        response = client.post(
            f"{PREFIX}auth/token",
            {"username": user.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        tokens[user.username] = response.json()["token"]
        refresh[user.username] = response.json()["refresh"]
    mice = Achievement.objects.create(name="Catches mice")
    sleeps = Achievement.objects.create(name="Sleeps all day")
    barsik = Cat.objects.create(name="Barsik", color="darkgray", birth_year=2020, owner=alice)
    barsik.image.save("photo.png", ContentFile(PNG))
    barsik.achievements.add(mice)
    Cat.objects.create(name="Murzik", color="white", birth_year=2018, owner=bob).achievements.add(
        sleeps
    )
    kinds = {model._meta.model_name: model for model in Cat._meta.app_config.get_models()}
    kinds["user"] = get_user_model()
    kinds["session"] = kinds.pop("loginsession")  # auth/sessions/{session_id}/
    ids = {
        kind: list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        for kind, model in kinds.items()
    }
    known = {
        "alice.access": tokens["alice"],
        "alice.refresh": refresh["alice"],
        "staff.access": tokens["staff"],
        "staff.refresh": refresh["staff"],
        "unsigned": UNSIGNED,
        "alice.uid": urlsafe_base64_encode(force_bytes(alice.pk)),
        "alice.reset_token": default_token_generator.make_token(alice),
        "alice.username": alice.username,
        "alice.email": alice.email,
        "password": PASSWORD,
        "png": data_url("png", PNG),
        "gif": data_url("gif", GIF),
        "big_png": data_url("png", big_png()),
    }
    for kind, pks in ids.items():
        for index in range(3):
            known[f"{kind}#{index}"] = pks[index % len(pks)] if pks else 0
    photos = {name: default_storage.open(name).read() for name in stored_files()}
    yield World(
        client=client,
        known=known,
        ids=ids,
        tokens={**tokens, "alice.refresh": refresh["alice"], "unsigned": UNSIGNED},
        user_ids={"alice": alice.pk, "staff": staff.pk},
        photos=photos,
    )
    for name in stored_files():
        default_storage.delete(name)


# Strategies for the parts of a request.


def kind_of(parameter: str) -> str:
    return parameter.removesuffix("_id")


INVALID_IDS = st.one_of(
    st.sampled_from(
        [
            "0",
            "-1",
            "-0",
            "abc",
            "1.0",
            "1e3",
            "0x1",
            "NaN",
            "null",
            "true",
            "%",
            "..",
            ".",
            "\x00",
            "\ud800",
            "1\x00",
            "9" * 5000,
            "-" + "9" * 40,
            str(2**31),
            str(2**63),
            str(10**40),
        ]
    ),
    st.integers(min_value=2**31).map(str),
    st.integers(max_value=0).map(str),
    st.integers(min_value=10**6, max_value=10**9).map(str),
    st.text(CHARACTERS, min_size=1, max_size=10),
)


def existing_ids(parameter: str) -> st.SearchStrategy[Known]:
    return st.sampled_from([Known(f"{kind_of(parameter)}#{index}") for index in range(3)])


def any_ids(op: Operation) -> st.SearchStrategy[dict[str, Any]]:
    """Ids of the right kind, of another kind, ``me``, and ids that are no id at all."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(
                existing_ids(name),
                st.just("me"),
                st.sampled_from([Known(f"{kind}#1") for kind in ("user", "cat", "achievement")]),
                INVALID_IDS,
            )
            for name in op.parameters
        }
    )


def good_ids(op: Operation) -> st.SearchStrategy[dict[str, Any]]:
    """Ids of existing objects of the right kind, alice's own first."""
    return st.fixed_dictionaries(
        {
            name: st.one_of(st.just("me"), existing_ids(name))
            if kind_of(name) == "user"
            else existing_ids(name)
            for name in op.parameters
        }
    )


def good_or_any_ids(op: Operation) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(good_ids(op), any_ids(op))


def calls(
    op: Operation, body: st.SearchStrategy[Any], ids: Any = None, callers=CALLERS + BAD_CALLERS
):
    return st.builds(
        Call,
        method=st.just(op.method),
        path=st.just(op.path),
        caller=st.sampled_from(callers),
        ids=(ids or any_ids)(op),
        body=body,
    )


def keys_of(op: Operation) -> st.SearchStrategy[str]:
    names = field_names(op.body) or ["name", "email", "username"]
    return st.one_of(st.sampled_from(names), HOSTILE_STRINGS)


DEEP_JSON_TEXT = st.builds(
    lambda opening, closing, depth: opening * depth + closing * depth,
    st.just("["),
    st.just("]"),
    st.sampled_from([1000, 5000, 100_000]),
)


def form_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        HOSTILE_STRINGS,
        KNOWN_VALUES,
        st.binary(max_size=40),
        st.sampled_from([PNG, GIF, PNG[:20], b"\xff\xfe\xfd", b"\xed\xa0\x80", b"\xc0\x80"]),
        st.sampled_from(["[]", '[{"achievement_name": "x"}]', "null", "{", "[" * 5000]),
        DEEP_JSON_TEXT,
    )


def forms(op: Operation) -> st.SearchStrategy[FormBody]:
    part = st.tuples(
        keys_of(op),
        form_values(),
        st.one_of(st.none(), st.sampled_from(["photo.png", "x.gif", "", "a\ud800.png", "../x"])),
        st.one_of(st.none(), st.sampled_from(["image/png", "image/gif", "text/plain", ""])),
    )
    urlencoded_part = st.tuples(keys_of(op), form_values(), st.none(), st.none())
    return st.one_of(
        st.builds(
            FormBody,
            st.just("multipart"),
            st.lists(part, max_size=5).map(tuple),
            st.just("multipart/form-data"),
        ),
        st.builds(
            FormBody,
            st.just("urlencoded"),
            st.lists(urlencoded_part, max_size=5).map(tuple),
            st.just("application/x-www-form-urlencoded"),
        ),
    )


INVALID_UTF8 = st.sampled_from(
    [b"\xff", b"\xfe\xff", b"\xed\xa0\x80", b"\xc0\x80", b"\xe2\x82", b"\x80", b"\xf8\x88\x80\x80"]
)


@dataclass(frozen=True)
class InvalidUtf8Body:
    """A JSON object whose string at ``key`` holds bytes that are not UTF-8."""

    value: dict[str, Any]
    key: str
    invalid: bytes
    content_type: str = "application/json"

    def encode(self, world: World) -> bytes:
        text = json.dumps({**world.resolve(self.value), self.key: "@@"}, ensure_ascii=True)
        return text.encode().replace(b'"@@"', b'"' + self.invalid + b'"', 1)


def invalid_utf8_objects(op: Operation) -> st.SearchStrategy[InvalidUtf8Body]:
    fields = dict.fromkeys(field_names(op.body), SCALARS)
    return st.builds(
        InvalidUtf8Body, st.fixed_dictionaries({}, optional=fields), keys_of(op), INVALID_UTF8
    )


def body_kinds(op: Operation) -> st.SearchStrategy[Any]:
    """Every kind of body, with every content type."""
    text = st.one_of(HOSTILE_STRINGS, st.text(CHARACTERS))
    content_types = st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-16",
            "application/json; charset=bogus",
            "text/plain",
            "application/xml",
            "",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=other",
            "application/x-www-form-urlencoded",
        ]
    )
    return st.one_of(
        st.builds(RawBody, st.just(b""), content_types),
        st.builds(RawBody, st.binary(max_size=64), content_types),
        st.builds(RawBody, text, content_types),
        st.builds(JsonBody, JSON_VALUES, content_types),
        invalid_utf8_objects(op),
        forms(op),
        st.sampled_from(ODD_BODIES),
    )


URLENCODED = "application/x-www-form-urlencoded"
# Bodies Django refuses (too many fields or files), or JSON that Python's parser refuses.
ODD_BODIES = [
    RawBody("&".join(["a=1"] * 1001), URLENCODED),
    RawBody("x=" + "%ZZ" * 10, URLENCODED),
    RawBody("=&=&&", URLENCODED),
    RawBody("%00=%00", URLENCODED),
    RawBody("email=%ED%A0%80", URLENCODED),
    RawBody(
        b"".join(
            b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="f"; filename="f.png"'
            b"\r\n\r\nx\r\n"
            for _ in range(101)
        )
        + b"--"
        + BOUNDARY
        + b"--\r\n",
        "multipart/form-data; boundary=" + BOUNDARY.decode(),
    ),
    RawBody('{"name": ' + "9" * 5000 + "}"),
    RawBody('{"a": 1e999}'),
    RawBody("[1, 2"),
    RawBody("{'a': 1}"),
]


# The properties.


def test_the_operations_under_test_include_every_documented_one():
    documented_operations = {
        (method.upper(), path)
        for path, item in SCHEMA["paths"].items()
        for method in item
        if method.upper() in METHODS
    }
    under_test = {(op.method, PREFIX + op.path) for op in OPERATIONS}
    assert documented_operations <= under_test
    assert len(BODY_OPERATIONS) >= 20
    assert len(ID_OPERATIONS) >= 12


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_any_json_value_as_a_body_gets_a_json_answer_without_a_5xx_and_a_refusal_changes_nothing(
    world, op
):
    @fuzz(25)
    @given(calls(op, st.builds(JsonBody, json_values(keys_of(op)))))
    def run(call):
        world.check(call, html_page=op.page and op.path == DOCS_PAGE)

    run()


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=str)
def test_objects_of_an_operations_own_fields_with_hostile_values_get_a_json_answer_without_a_5xx(
    world, op
):
    @fuzz(50)
    @given(calls(op, st.builds(JsonBody, objects_of(op.body or {})), good_or_any_ids))
    def run(call):
        world.check(call)

    run()


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_every_kind_of_body_gets_a_json_answer_without_a_5xx_and_a_refusal_changes_nothing(
    world, op
):
    lying_lengths = st.sampled_from(["0", "-1", "abc", "99999999999", str(10 * 1024 * 1024 + 1)])

    @fuzz(25)
    @given(calls(op, body_kinds(op)), st.one_of(st.none(), lying_lengths))
    def run(call, declared_length):
        if declared_length is not None:
            call = replace(call, environ={"CONTENT_LENGTH": declared_length})
        world.check(call, html_page=op.page and op.path == DOCS_PAGE)

    run()


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_deeply_nested_json_gets_a_json_answer_without_a_5xx_and_a_refusal_changes_nothing(
    world, op
):
    names = field_names(op.body) or ["name"]
    deep = st.builds(
        DeepBody,
        shape=st.sampled_from(["arrays", "objects", "mixed", "unclosed"]),
        depth=st.one_of(st.integers(100, 5000), st.sampled_from([999, 1000, 1001, 100_000])),
        field=st.one_of(st.none(), st.sampled_from(names)),
        around=st.just(well_formed(op)),
    )

    @fuzz(15)
    @given(calls(op, deep, good_ids))
    def run(call):
        world.check(call, html_page=op.page and op.path == DOCS_PAGE)

    run()


def column_lengths() -> list[int]:
    """Every column limit of the app's and the user model's tables, one over it, and far over."""
    models = [*Cat._meta.app_config.get_models(), get_user_model()]
    limits = {
        field.max_length
        for model in models
        for field in model._meta.get_fields()
        if getattr(field, "max_length", None)
    }
    return sorted({n for limit in limits for n in (limit, limit + 1)} | {1000})


def string_paths(schema: dict[str, Any], prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where the string fields are: ``("name",)``, ``("achievements", 0, "achievement_name")``."""
    paths = []
    for name, sub in properties(schema).items():
        for alternative in [sub, *sub.get("anyOf", [])]:
            if "string" in schema_types(alternative) and prefix + (name,) not in paths:
                paths.append(prefix + (name,))
            if "array" in schema_types(alternative):
                paths += string_paths(alternative.get("items", {}), prefix + (name, 0))
    return paths


def put_at(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    """``body`` with ``value`` at ``path``, the lists and objects on the way made if missing."""
    body = copy.deepcopy(body)
    node = body
    for step, following in zip(path, path[1:], strict=False):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(node, list):
            while len(node) <= step:
                node.append(copy.deepcopy(empty))
            if not isinstance(node[step], type(empty)):
                node[step] = empty
        elif not isinstance(node.get(step), type(empty)):
            node[step] = empty
        node = node[step]
    node[path[-1]] = value
    return body


def sized_string(shape: str, length: int) -> str:
    if shape == "email":
        domain = "@example.com"
        return "a" * max(length - len(domain), 1) + domain
    return {"ascii": "a", "astral": "\U0001f431"}[shape] * length


STRING_OPERATIONS = [op for op in BODY_OPERATIONS if string_paths(op.body or {})]


@pytest.mark.parametrize("op", STRING_OPERATIONS, ids=str)
def test_a_string_around_any_column_length_in_any_string_field_gets_an_answer_without_a_5xx(
    world, op
):
    """A string longer than its column is a 400 on its field, never a 500 (PostgreSQL checks).

    By staff, on objects that exist, so that the string gets as far as the database: the space
    (fields, shapes, lengths) is small enough for hypothesis to try all of it.
    """
    paths = string_paths(op.body or {})
    shapes, lengths = ["email", "ascii", "astral"], column_lengths()
    sized = st.builds(sized_string, st.sampled_from(shapes), st.sampled_from(lengths))
    bodies = st.builds(put_at, st.just(well_formed(op)), st.sampled_from(paths), sized)
    ids = {
        name: "me" if kind_of(name) == "user" else Known(f"{kind_of(name)}#0")
        for name in op.parameters
    }

    @fuzz(len(paths) * len(shapes) * len(lengths) + 10)
    @given(calls(op, st.builds(JsonBody, bodies), lambda op: st.just(ids), callers=("staff",)))
    def run(call):
        world.check(call)

    run()


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=str)
def test_a_body_that_is_not_a_json_object_never_gets_a_2xx_from_an_operation_that_takes_a_body(
    world, op
):
    not_objects = st.one_of(
        st.just([well_formed(op)]),
        st.just([]),
        st.sampled_from([None, True, 0, "", "{}"]),
        NOT_OBJECTS,
    )

    @fuzz(25)
    @given(calls(op, st.builds(JsonBody, not_objects), good_ids))
    def run(call):
        response = world.check(call)
        assert not 200 <= response.status_code < 300, describe(response)

    run()


SPOILERS = st.sampled_from([*SURROGATES, "\x00", "\udc80"])


@dataclass(frozen=True)
class Spoiled:
    """A field's string (``Known`` or not) with ``spoiler`` put in it at ``at``."""

    value: Any
    at: int
    spoiler: str


@st.composite
def spoiled_bodies(draw, op: Operation) -> JsonBody:
    """A body the operation takes, with a lone surrogate or NUL in the value of one field."""
    body = copy.deepcopy(
        {
            name: draw(st.sampled_from(well_formed_values(name, sub)))
            for name, sub in properties(op.body).items()
        }
    )
    slots = [(body, name) for name in body]
    slots += [
        (item, name)
        for value in body.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict)
        for name in item
    ]
    if not slots:  # an operation with no fields: any field of its schema is unknown
        return JsonBody({"x": draw(SPOILERS)})
    container, name = draw(st.sampled_from(slots))
    container[name] = Spoiled(container[name], draw(st.integers(0, 20)), draw(SPOILERS))
    return JsonBody(body)


@pytest.mark.parametrize("op", BODY_OPERATIONS, ids=str)
def test_a_body_holding_a_lone_surrogate_or_nul_never_gets_a_2xx_from_an_operation_that_takes_it(
    world, op
):
    @fuzz(25)
    @given(calls(op, spoiled_bodies(op), good_ids, callers=("alice", "staff", "anonymous")))
    def run(call):
        response = world.check(call)
        assert not 200 <= response.status_code < 300, describe(response)

    run()


def resolved_route(path_info: str) -> str | None:
    """The route of the API's operation that serves ``path_info``, or None."""
    try:
        route = resolve(path_info).route
    except Resolver404:
        return None
    return route if route in ROUTES else None


def names_an_object(world: World, call: Call) -> bool:
    """Whether every id of the call names an object the caller may see (``me`` included)."""
    for name, raw in call.ids.items():
        value = world.resolve(raw)
        if kind_of(name) == "user" and value == "me":
            continue
        if not is_number(value) or int(value) not in world.visible(kind_of(name), call.caller):
            return False
    return True


def is_number(value: Any) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("op", ID_OPERATIONS, ids=str)
def test_an_id_in_a_path_that_names_no_object_of_its_kind_is_404_detail(world, op):
    """Whoever calls. Only a number naming nothing may be a 403 for a caller who may not use the
    operation at all (alice changing an achievement: DRF checks that before the object)."""
    body = JsonBody(well_formed(op)) if op.body is not None else None

    @fuzz(40)
    @given(calls(op, st.just(body), callers=("alice", "staff")))
    def run(call):
        assume(not names_an_object(world, call))
        ids = {name: world.resolve(value) for name, value in call.ids.items()}
        path_info = PREFIX + call.path.format(**{name: str(value) for name, value in ids.items()})
        # An id holding "/" may make another operation's path (users/set_password/).
        assume(resolved_route(path_info) in (op.route, None))
        response = world.check(call)
        numbers = all(is_number(value) or value == "me" for value in ids.values())
        expected = {403, 404} if numbers and call.caller != "staff" else {404}
        assert response.status_code in expected, describe(response)
        assert list(response.json()) == ["detail"], describe(response)
        assert isinstance(response.json()["detail"], str), describe(response)

    run()


@pytest.mark.parametrize("op", QUERY_OPERATIONS, ids=str)
def test_hostile_query_parameters_get_a_json_answer_without_a_5xx(world, op):
    names = st.one_of(st.sampled_from(op.query), HOSTILE_STRINGS)
    values = st.one_of(
        st.sampled_from(
            [value for name in op.query for value in QUERY_VALUES.get(name, ())] or [""]
        ),
        HOSTILE_STRINGS,
        NUMBERS.map(str),
        KNOWN_VALUES,
    )
    raw = st.sampled_from(
        ["page=%ZZ", "%00=%00", "owner=%ED%A0%80", "search=%FF", "&&&", "=", "page=1&page=2"]
    )
    queries = st.one_of(st.lists(st.tuples(names, values), max_size=5).map(tuple), raw)

    @fuzz(60)
    @given(calls(op, st.none()), queries)
    def run(call, query):
        response = world.check(replace(call, query=query))
        if 400 <= response.status_code < 500:
            assert isinstance(response.json(), dict), describe(response)

    run()


@pytest.mark.parametrize("path", list(UNSERVED), ids=lambda path: path or "(root)")
def test_a_method_a_path_does_not_serve_is_refused_in_json_with_the_true_allow(world, path):
    op = Operation("GET", path)

    @fuzz(len(UNSERVED[path]) * 3)
    @given(
        st.sampled_from(UNSERVED[path]),
        calls(op, st.one_of(st.none(), st.builds(JsonBody, JSON_VALUES))),
    )
    def run(method, call):
        response = world.check(replace(call, method=method))
        if response.status_code == 405:
            allowed = {m.strip() for m in response.get("Allow", "").split(",")}
            assert SERVED[path] <= allowed, f"{describe(response)} Allow: {response.get('Allow')}"

    run()


def test_a_path_the_api_does_not_serve_is_a_json_404_for_any_method(world):
    paths = st.one_of(
        st.sampled_from([other_spelling(p) for p in PATHS if p and other_spelling(p) not in PATHS]),
        st.text(CHARACTERS, max_size=30),
        st.lists(st.sampled_from([*PATHS, "..", "%2e", "admin", "v2"]), min_size=1, max_size=3).map(
            "/".join
        ),
    )

    @fuzz(150)
    @given(
        method=st.sampled_from(METHODS + OTHER_METHODS),
        path=paths,
        caller=st.sampled_from(CALLERS),
        body=st.one_of(st.none(), st.builds(JsonBody, JSON_VALUES)),
    )
    def run(method, path, caller, body):
        call = Call(method, quote(encode(path), safe="/"), caller, body=body)
        # A path made of served ones may be the docs page itself, which is HTML.
        response = world.check(call, html_page=path == DOCS_PAGE)
        path_info = response.request["PATH_INFO"].encode("iso-8859-1").decode("utf-8", "replace")
        if resolved_route(path_info) is None:
            assert response.status_code == 404, describe(response)
            if method != "HEAD":
                assert list(response.json()) == ["detail"], describe(response)

    run()

"""Register API operations once and describe them all at /api/v1/openapi.json."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel

API_PREFIX = "/api/v1"


@dataclass
class Operation:
    rule: str
    method: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    paged: bool
    query: dict[str, str]
    body_list: bool = False
    multipart: dict[str, str] | None = None
    errors: dict[int, str] | None = None
    produces: str | tuple[str, ...] | None = None


OPERATIONS: list[Operation] = []


def operation(
    bp,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    paged: bool = False,
    query: dict[str, str] | None = None,
    body_list: bool = False,
    multipart: dict[str, str] | None = None,
    errors: dict[int, str] | None = None,
    produces: str | tuple[str, ...] | None = None,
) -> Callable:
    """Route a view on the API blueprint and record it for the OpenAPI description.

    `body` is a JSON object of that model, or with `body_list` a JSON list of them;
    `multipart` instead names the files of a multipart/form-data body, each with its
    description, such as {"file": "The CSV or XLSX file"}. `errors` describes the refusals
    this operation's services may answer besides those every operation of its shape can
    (409 Conflict, 410 Gone, ...), as {status: description}. `produces` is the media type
    of an answer that is not JSON, such as "text/calendar", or a tuple of the types it may
    be (a download of whatever file was uploaded).
    """
    if body_list and body is None:
        raise ValueError(f"{rule}: body_list needs the body model of each item")
    if multipart is not None and body is not None:
        raise ValueError(f"{rule}: a body is either JSON or multipart, not both")
    if paged and response is None:
        raise ValueError(f"{rule}: a paged operation needs the model of its items")

    def decorator(view: Callable) -> Callable:
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(
                rule,
                method,
                summary,
                tag,
                body,
                response,
                status,
                paged,
                query or {},
                body_list=body_list,
                multipart=multipart,
                errors=errors,
                produces=produces,
            )
        )
        return view

    return decorator


def _path(rule: str) -> tuple[str, list[str]]:
    params = re.findall(r"<(?:\w+:)?(\w+)>", rule)
    return API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def _multipart_schema(files: dict[str, str]) -> dict:
    return {
        "type": "object",
        "properties": {
            name: {
                "type": "string",
                # OpenAPI 3.1 says binary with contentMediaType; 3.0 tools look for format.
                "contentMediaType": "application/octet-stream",
                "format": "binary",
                "description": text,
            }
            for name, text in files.items()
        },
        "required": list(files),
    }


def _error_schema() -> dict:
    return {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
                "required": ["code", "message", "fields"],
            }
        },
        "required": ["error"],
    }


def openapi_document() -> dict:
    """Build the OpenAPI 3.1 description of every registered operation."""
    schemas: dict[str, dict] = {"Error": _error_schema()}

    def ref(model: type[BaseModel], mode: str) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, sub in schema.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas.setdefault(model.__name__, schema)
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    paths: dict[str, dict] = {}
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for op in OPERATIONS:
        path, params = _path(op.rule)
        item: dict = {
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": [
                {"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
                for p in params
            ]
            + [
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "description": text,
                    "schema": {"type": "string"},
                }
                for name, text in op.query.items()
            ],
            "responses": {
                "401": {"description": "No valid bearer token", "content": error},
                "403": {"description": "Your role does not allow this", "content": error},
            },
        }
        if op.paged or op.query:
            item["responses"]["422"] = {
                "description": "A query parameter has a value this operation cannot use",
                "content": error,
            }
        if op.paged:
            item["parameters"] += [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                },
                {
                    "name": "after",
                    "in": "query",
                    "schema": {"type": "integer"},
                    "description": "Return items after this id (use `next`)",
                },
            ]
        if op.body is not None:
            schema = ref(op.body, "validation")
            if op.body_list:
                schema = {"type": "array", "items": schema}
            item["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schema}},
            }
            item["responses"]["422"] = {"description": "Invalid input", "content": error}
        if op.multipart is not None:
            item["requestBody"] = {
                "required": True,
                "content": {"multipart/form-data": {"schema": _multipart_schema(op.multipart)}},
            }
            item["responses"]["422"] = {"description": "Invalid input", "content": error}
        if op.body is not None or op.multipart is not None:
            item["responses"]["400"] = {
                "description": "The body could not be read (not JSON, or not the form data "
                "asked for), or holds a value the database cannot store",
                "content": error,
            }
            item["responses"]["413"] = {"description": "The body is too large", "content": error}
        if params:
            item["responses"]["404"] = {"description": "No such object", "content": error}
        if op.method in ("PATCH", "PUT"):
            item["responses"]["409"] = {
                "description": "Changed since you read it",
                "content": error,
            }
        for status, text in (op.errors or {}).items():
            item["responses"][str(status)] = {"description": text, "content": error}
        if op.produces is not None:
            types = (op.produces,) if isinstance(op.produces, str) else op.produces
            item["responses"][str(op.status)] = {
                "description": "OK",
                "content": {media: {"schema": {"type": "string"}} for media in types},
            }
        elif op.response is None:
            item["responses"][str(op.status)] = {"description": "Done"}
        else:
            schema = ref(op.response, "serialization")
            if op.paged:
                schema = {
                    "type": "object",
                    "properties": {
                        "items": {"type": "array", "items": schema},
                        "next": {"type": ["string", "null"]},
                    },
                    "required": ["items", "next"],
                }
            item["responses"][str(op.status)] = {
                "description": "OK",
                "content": {"application/json": {"schema": schema}},
            }
        paths.setdefault(path, {})[op.method.lower()] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Task force manager API",
            "version": "1",
            "description": "Terms of reference, meetings, packs, minutes and actions.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }

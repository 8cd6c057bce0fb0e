"""What every API handler shares: the blueprint, bearer-token sign-in, reading bodies,
paging, and loading what the caller may see."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, TypeVar

from flask import Blueprint, abort, g, jsonify, request, url_for
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select
from werkzeug.exceptions import BadRequest

from taskforce.api.errors import api_error_response
from taskforce.audit.services import Actor
from taskforce.auth.services import user_for_token
from taskforce.errors import ValidationError
from taskforce.extensions import csrf, db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens, never cookies, authenticate the API: there is no session for CSRF to ride.
csrf.exempt(bp)

M = TypeVar("M", bound=BaseModel)
PUBLIC = {"api.openapi"}


@bp.before_request
def _authenticate():
    g.api_user = None
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return api_error_response(
            401, "unauthorised", "Send a bearer token: Authorization: Bearer <token>"
        )
    user = user_for_token(token.strip())
    if user is None:
        db.session.rollback()
        return api_error_response(401, "unauthorised", "That token is unknown, revoked or expired")
    if db.session.dirty:
        db.session.commit()  # keep last_used_at
    g.api_user = user
    return None


def api_user():
    return g.api_user


def api_actor() -> Actor:
    return Actor(user=g.api_user, via="api")


def _field_name(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "_body"


def parse(model: type[M], payload: Any = None) -> M:
    """Validate a JSON body against a model; bad input becomes a 422 with field errors."""
    if payload is None:
        payload = _json_body()
    if not isinstance(payload, dict):
        raise ValidationError(
            {"_body": ["Send a JSON object"]}, "The request body must be a JSON object"
        )
    try:
        parsed = model.model_validate(payload)
    except PydanticValidationError as exc:
        raise _field_errors(exc) from None
    nulls = parsed.null_errors() if hasattr(parsed, "null_errors") else {}
    if nulls:
        raise ValidationError(nulls)
    return parsed


def parse_root(model: type[BaseModel]) -> Any:
    """Validate a JSON body (a list, say) against a root model and return its root; errors
    are named by position, like "2.title"."""
    try:
        return model.model_validate(_json_body()).root
    except PydanticValidationError as exc:
        raise _field_errors(exc) from None


def _field_errors(exc: PydanticValidationError) -> ValidationError:
    """Pydantic's errors as a 422's field errors, in our words."""
    fields: dict[str, list[str]] = {}
    for err in exc.errors(include_url=False):
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "Unknown field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        fields.setdefault(_field_name(err["loc"]), []).append(message)
    return ValidationError(fields)


class _NotJson(ValueError):
    """JSON the standard library would read but the standard does not allow."""


def _refuse_constant(name: str) -> None:
    raise _NotJson(f"{name} is not a JSON number")


def _json_number(text: str) -> Decimal | float:
    """Read a JSON number with a fraction or exponent exactly, as a Decimal."""
    number = Decimal(text)
    # 1e999999999 as a Decimal would become a billion-digit integer in an int field; such
    # numbers, far beyond any field, are read as floats (inf or 0.0), as they were before.
    if len(text) > 100 or abs(number.adjusted()) > 100:
        return float(text)
    return number


def _json_body() -> Any:
    """The request's JSON, with fractions as Decimals so no digit is lost on the way in."""
    message = "The request body is not valid JSON: send it with Content-Type: application/json"
    if not request.is_json:
        raise BadRequest(message)
    try:
        payload = json.loads(
            request.get_data(cache=True),
            parse_float=_json_number,
            parse_constant=_refuse_constant,
        )
    except _NotJson as error:
        raise BadRequest(f"The request body is not valid JSON: {error}") from None
    except (ValueError, RecursionError):  # bad JSON or bad UTF-8; or absurdly nested JSON
        payload = None
    if payload is None:
        raise BadRequest(message)
    return payload


def parse_change(schema: type[BaseModel]) -> tuple[dict, int | None]:
    """A PATCH body as (the fields sent, the version it was made from)."""
    data = parse(schema).model_dump(exclude_unset=True)
    return data, data.pop("version", None)


def parse_list(model: type[M]) -> list[M]:
    """Validate a JSON list of objects; errors are named by position, like "2.status"."""
    payload = _json_body()
    if not isinstance(payload, list):
        raise ValidationError(
            {"_body": ["Send a JSON list"]}, "The request body must be a JSON list"
        )
    items, fields = [], {}
    for index, item in enumerate(payload):
        try:
            items.append(parse(model, item))
        except ValidationError as error:
            for name, messages in error.fields.items():
                key = str(index) if name == "_body" else f"{index}.{name}"
                fields[key] = messages
    if fields:
        raise ValidationError(fields)
    return items


def dump(model: BaseModel, status: int = 200):
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


class EmailsSent(BaseModel):
    sent: int
    #: Addresses nothing was sent to, because mail cannot be delivered to them.
    skipped: list[str] | None = None


def emails_sent(count: int, skipped: list[str] | None = None):
    """202 Accepted, saying how many emails went to the outbox and, where given, the addresses
    nothing was sent to because mail cannot be delivered to them."""
    response = jsonify(EmailsSent(sent=count, skipped=skipped).model_dump(exclude_none=True))
    response.status_code = 202
    return response


def page_of(stmt: Select, id_column, serialise, *, newest_first: bool = False) -> Any:
    """Return one page of a query as {"items": [...], "next": url | None}, keyed by id."""
    from flask import current_app

    limit_raw = request.args.get("limit", "")
    after_raw = request.args.get("after", "")
    maximum = current_app.config["API_PAGE_MAX"]
    try:
        limit = int(limit_raw) if limit_raw else current_app.config["API_PAGE_DEFAULT"]
        if not 1 <= limit <= maximum:
            raise ValueError
    except ValueError:
        raise ValidationError.single(
            "limit", f"limit must be a whole number from 1 to {maximum}"
        ) from None
    try:
        after = int(after_raw) if after_raw else None
        if after is not None and not 0 <= after <= 2**31 - 1:
            raise ValueError
    except ValueError:
        raise ValidationError.single("after", "after must be an id from a next link") from None
    if after is not None:
        stmt = stmt.where(id_column < after if newest_first else id_column > after)
    order = id_column.desc() if newest_first else id_column
    rows = list(db.session.scalars(stmt.order_by(order).limit(limit + 1)))
    next_url = None
    if len(rows) > limit:
        rows = rows[:limit]
        args = {
            **{k: v for k, v in request.args.items() if not k.startswith("_")},
            **(request.view_args or {}),
            "limit": limit,
            "after": rows[-1].id,
        }
        next_url = url_for(request.endpoint, _external=True, **args)
    return jsonify({"items": [serialise(r) for r in rows], "next": next_url})


def get_for_taskforce(model, object_id: int, *, edit: bool = False):
    """Load an object belonging to a task force the caller may see (or, with edit, change)."""
    from taskforce.auth import permissions

    obj = get_or_404(model, object_id)
    permissions.load_taskforce(g.api_user, obj.taskforce_id, edit=edit)
    return obj


def get_or_404(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404, description=f"No {model.__name__.lower()} with id {object_id}")
    return obj


def load_taskforce(taskforce_id: int, *, edit: bool = False):
    """The task force the caller may read (or, with edit, change); else 404 or 403."""
    from taskforce.auth import permissions

    return permissions.load_taskforce(g.api_user, taskforce_id, edit=edit)

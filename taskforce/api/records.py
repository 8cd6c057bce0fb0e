"""Routes for a task force's records kept as lists (assessments, risks, the registers): create,
list, get and change, each described in the OpenAPI document like any other operation."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import select

from taskforce.api.core import (
    api_actor,
    bp,
    dump,
    get_for_taskforce,
    load_taskforce,
    page_of,
    parse,
    parse_change,
)
from taskforce.api.spec import operation


def record_routes(
    kind: str,
    model,
    *,
    tag: str,
    schema_in: type[BaseModel],
    schema_out: type[BaseModel],
    change: type[BaseModel],
    out: Callable,
    add: Callable,
    update: Callable,
    noun: str,
    added: str,
    listed: str,
    changed: str,
) -> None:
    """The routes of one kind of record: POST and GET /taskforces/{id}/{kind}, GET and PATCH
    /{kind}/{id}. out(record) gives its schema; add(tf, data, actor) and
    update(record, data, actor, expected_version) are the services."""

    def create(taskforce_id: int):
        tf = load_taskforce(taskforce_id, edit=True)
        record = add(tf, parse(schema_in).model_dump(), api_actor())
        return dump(out(record), 201)

    def listing(taskforce_id: int):
        tf = load_taskforce(taskforce_id)
        return page_of(
            select(model).where(model.taskforce_id == tf.id),
            model.id,
            lambda record: out(record).model_dump(mode="json"),
        )

    def one(record_id: int):
        return dump(out(get_for_taskforce(model, record_id)))

    def patch(record_id: int):
        record = get_for_taskforce(model, record_id, edit=True)
        data, expected = parse_change(change)
        update(record, data, api_actor(), expected_version=expected)
        return dump(out(record))

    name = kind.removesuffix("s")
    create.__name__, listing.__name__ = f"create_{name}", f"list_{kind}"
    one.__name__, patch.__name__ = f"get_{name}", f"update_{name}"
    collection, path = f"/taskforces/<int:taskforce_id>/{kind}", f"/{kind}/<int:record_id>"
    operation(
        bp,
        collection,
        "POST",
        tag=tag,
        body=schema_in,
        response=schema_out,
        status=201,
        summary=added,
    )(create)
    operation(bp, collection, "GET", tag=tag, response=schema_out, summary=listed, paged=True)(
        listing
    )
    operation(bp, path, "GET", tag=tag, response=schema_out, summary=f"One {noun}")(one)
    operation(bp, path, "PATCH", tag=tag, body=change, response=schema_out, summary=changed)(patch)

"""Performance data over JSON: indicators, actuals, charts, assessments and risks."""

from __future__ import annotations

from flask import Response, request
from sqlalchemy import select

from taskforce.api import api_actor, bp, dump, get_for_taskforce, page_of, parse, parse_list
from taskforce.api.spec import operation
from taskforce.api.taskforces import _taskforce
from taskforce.errors import ValidationError
from taskforce.extensions import db
from taskforce.performance import charts, imports, registers, services
from taskforce.performance.models import Assessment, Indicator, Risk
from taskforce.performance.schemas import (
    REGISTER_SCHEMAS,
    ActualIn,
    ActualsRecorded,
    AssessmentChange,
    AssessmentIn,
    AssessmentOut,
    IndicatorChange,
    IndicatorCreate,
    IndicatorOut,
    RiskChange,
    RiskIn,
    RiskOut,
)

TAG = "Performance"


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/indicators",
    "POST",
    tag=TAG,
    body=IndicatorCreate,
    response=IndicatorOut,
    status=201,
    summary="Add an indicator with its trajectory",
)
def create_indicator(taskforce_id: int):
    tf = _taskforce(taskforce_id, edit=True)
    data = parse(IndicatorCreate).model_dump()
    indicator = services.create_indicator(tf, data, api_actor())
    db.session.commit()
    return dump(IndicatorOut.of(indicator), 201)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/indicators",
    "GET",
    tag=TAG,
    response=IndicatorOut,
    summary="A task force's indicators, each with its series, RAG and trend",
    paged=True,
)
def list_indicators(taskforce_id: int):
    tf = _taskforce(taskforce_id)
    return page_of(
        services.indicators_of(tf.id),
        Indicator.id,
        lambda i: IndicatorOut.of(i).model_dump(mode="json"),
    )


@operation(
    bp,
    "/indicators/<int:indicator_id>",
    "GET",
    tag=TAG,
    response=IndicatorOut,
    summary="An indicator with its series: trajectory, actual, RAG and trend per period",
)
def get_indicator(indicator_id: int):
    return dump(IndicatorOut.of(get_for_taskforce(Indicator, indicator_id)))


@operation(
    bp,
    "/indicators/<int:indicator_id>",
    "PATCH",
    tag=TAG,
    body=IndicatorChange,
    response=IndicatorOut,
    summary="Change an indicator, replan its trajectory (the list sent replaces it), "
    "or retire or reinstate it",
)
def update_indicator(indicator_id: int):
    indicator = get_for_taskforce(Indicator, indicator_id, edit=True)
    data, expected = _change(IndicatorChange)
    services.update_indicator(indicator, data, api_actor(), expected_version=expected)
    db.session.commit()
    return dump(IndicatorOut.of(indicator))


def _change(schema) -> tuple[dict, int | None]:
    """A PATCH body as (the fields sent, the version it was made from)."""
    data = parse(schema).model_dump(exclude_unset=True)
    return data, data.pop("version", None)


@operation(
    bp,
    "/indicators/<int:indicator_id>/actuals",
    "POST",
    tag=TAG,
    body=ActualIn,
    body_list=True,
    response=ActualsRecorded,
    summary="Record actuals; a later value for a period replaces the earlier, kept in history",
)
def record_actuals(indicator_id: int):
    indicator = get_for_taskforce(Indicator, indicator_id, edit=True)
    points = [p.model_dump() for p in parse_list(ActualIn)]
    values = services.actuals_from_input(indicator, points)
    new, corrected = services.record_actuals(indicator, values, api_actor())
    db.session.commit()
    return dump(ActualsRecorded(new=new, corrected=corrected, indicator=IndicatorOut.of(indicator)))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/actuals/import",
    "POST",
    tag=TAG,
    status=200,
    multipart={
        "file": "The CSV or XLSX file of actuals: a header row (indicator, period, value), "
        "then one row per value"
    },
    summary="Import actuals from a CSV or XLSX file (multipart `file`): all rows or none",
)
def import_actuals(taskforce_id: int):
    tf = _taskforce(taskforce_id, edit=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError.single("file", "Send the file as multipart form data named file")
    imported = imports.import_actuals(tf, upload.stream, upload.filename, api_actor())
    db.session.commit()
    return {"imported": imported}


@operation(
    bp,
    "/indicators/<int:indicator_id>/chart.svg",
    "GET",
    tag=TAG,
    summary="The indicator's trajectory-versus-actual chart (SVG); /chart.png for PNG",
)
def indicator_chart_svg(indicator_id: int):
    return _chart(indicator_id, "svg")


@operation(
    bp,
    "/indicators/<int:indicator_id>/chart.png",
    "GET",
    tag=TAG,
    summary="The indicator's trajectory-versus-actual chart (PNG)",
)
def indicator_chart_png(indicator_id: int):
    return _chart(indicator_id, "png")


def _chart(indicator_id: int, fmt: str) -> Response:
    indicator = get_for_taskforce(Indicator, indicator_id)
    content = charts.chart(indicator, fmt)
    db.session.commit()
    response = Response(content, mimetype=charts.FORMATS[fmt])
    response.headers["X-Chart-Description"] = (
        charts.describe(indicator)[:1000].encode("ascii", "replace").decode()
    )
    return response


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/assessments",
    "POST",
    tag=TAG,
    body=AssessmentIn,
    response=AssessmentOut,
    status=201,
    summary="Record a likelihood-of-delivery assessment of one priority",
)
def create_assessment(taskforce_id: int):
    tf = _taskforce(taskforce_id, edit=True)
    assessment = registers.add_assessment(tf, parse(AssessmentIn).model_dump(), api_actor())
    db.session.commit()
    return dump(AssessmentOut.of(assessment), 201)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/assessments",
    "GET",
    tag=TAG,
    response=AssessmentOut,
    summary="A task force's assessments, oldest first",
    paged=True,
)
def list_assessments(taskforce_id: int):
    tf = _taskforce(taskforce_id)
    stmt = select(Assessment).where(Assessment.taskforce_id == tf.id)
    return page_of(stmt, Assessment.id, lambda a: AssessmentOut.of(a).model_dump(mode="json"))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/risks",
    "POST",
    tag=TAG,
    body=RiskIn,
    response=RiskOut,
    status=201,
    summary="Add a risk to the register; its rating follows from likelihood and impact",
)
def create_risk(taskforce_id: int):
    tf = _taskforce(taskforce_id, edit=True)
    risk = registers.add_risk(tf, parse(RiskIn).model_dump(), api_actor())
    db.session.commit()
    return dump(RiskOut.of(risk), 201)


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/risks",
    "GET",
    tag=TAG,
    response=RiskOut,
    summary="The risk register, in the order risks were added",
    paged=True,
)
def list_risks(taskforce_id: int):
    tf = _taskforce(taskforce_id)
    stmt = select(Risk).where(Risk.taskforce_id == tf.id)
    return page_of(stmt, Risk.id, lambda r: RiskOut.of(r).model_dump(mode="json"))


def _record_routes(kind: str, schema, out, change, update, noun: str, changed: str) -> None:
    """GET and PATCH /{kind}/{id} for one record: out(record) gives its schema, change is
    the PATCH body and update(record, data, actor, expected_version) the service."""
    model = {"assessments": Assessment, "risks": Risk, **registers.REGISTER_MODELS}[kind]

    def one(record_id: int):
        return dump(out(get_for_taskforce(model, record_id)))

    def patch(record_id: int):
        record = get_for_taskforce(model, record_id, edit=True)
        data, expected = _change(change)
        update(record, data, api_actor(), expected_version=expected)
        db.session.commit()
        return dump(out(record))

    name = kind.removesuffix("s")
    one.__name__, patch.__name__ = f"get_{name}", f"update_{name}"
    path = f"/{kind}/<int:record_id>"
    operation(bp, path, "GET", tag=TAG, response=schema, summary=f"One {noun}")(one)
    operation(bp, path, "PATCH", tag=TAG, body=change, response=schema, summary=changed)(patch)


_record_routes(
    "assessments",
    AssessmentOut,
    AssessmentOut.of,
    AssessmentChange,
    registers.update_assessment,
    "assessment",
    "Correct an assessment; the audit trail keeps what it said before",
)
_record_routes(
    "risks",
    RiskOut,
    RiskOut.of,
    RiskChange,
    registers.update_risk,
    "risk",
    "Change a risk, or close (`closed: true`) or reopen it; history is kept",
)


def _register_routes(kind: str, noun: str) -> None:
    """POST and GET for one of the simple registers (benefits, milestones, decisions)."""
    schema_in, schema_out, schema_change = REGISTER_SCHEMAS[kind]
    model = registers.REGISTER_MODELS[kind]

    def create(taskforce_id: int):
        tf = _taskforce(taskforce_id, edit=True)
        entry = registers.add_entry(tf, kind, parse(schema_in).model_dump(), api_actor())
        db.session.commit()
        return dump(schema_out.model_validate(entry), 201)

    def listing(taskforce_id: int):
        tf = _taskforce(taskforce_id)
        return page_of(
            select(model).where(model.taskforce_id == tf.id),
            model.id,
            lambda e: schema_out.model_validate(e).model_dump(mode="json"),
        )

    create.__name__, listing.__name__ = f"create_{kind}", f"list_{kind}"
    operation(
        bp,
        f"/taskforces/<int:taskforce_id>/{kind}",
        "POST",
        tag=TAG,
        body=schema_in,
        response=schema_out,
        status=201,
        summary=f"Add {noun} to the register",
    )(create)
    operation(
        bp,
        f"/taskforces/<int:taskforce_id>/{kind}",
        "GET",
        tag=TAG,
        response=schema_out,
        summary=f"The {kind} register",
        paged=True,
    )(listing)
    _record_routes(
        kind,
        schema_out,
        schema_out.model_validate,
        schema_change,
        lambda entry, data, actor, expected_version: registers.update_entry(
            entry, kind, data, actor, expected_version
        ),
        noun.removeprefix("a "),
        f"Change {noun}; the audit trail keeps what it said before",
    )


_register_routes("benefits", "a benefit")
_register_routes("milestones", "a delivery milestone")
_register_routes("decisions", "a decision")

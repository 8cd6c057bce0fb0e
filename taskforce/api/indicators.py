"""Performance data over JSON: indicators, actuals, imports, charts and assessments."""

from __future__ import annotations

from flask import Response, request

from taskforce import transaction
from taskforce.api.core import (
    api_actor,
    bp,
    dump,
    get_for_taskforce,
    load_taskforce,
    page_of,
    parse,
    parse_change,
    parse_list,
)
from taskforce.api.records import record_routes
from taskforce.api.spec import operation
from taskforce.errors import ValidationError
from taskforce.performance import assessments, charts, imports, services
from taskforce.performance.models import Assessment, Indicator
from taskforce.performance.schemas import (
    ActualIn,
    ActualsImported,
    ActualsRecorded,
    AssessmentChange,
    AssessmentIn,
    AssessmentOut,
    IndicatorChange,
    IndicatorCreate,
    IndicatorOut,
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
    tf = load_taskforce(taskforce_id, edit=True)
    data = parse(IndicatorCreate).model_dump()
    indicator = services.create_indicator(tf, data, api_actor())
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
    tf = load_taskforce(taskforce_id)
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
    data, expected = parse_change(IndicatorChange)
    services.update_indicator(indicator, data, api_actor(), expected_version=expected)
    return dump(IndicatorOut.of(indicator))


@operation(
    bp,
    "/indicators/<int:indicator_id>/actuals",
    "POST",
    tag=TAG,
    body=ActualIn,
    body_list=True,
    response=ActualsRecorded,
    errors={409: "The indicator is retired: reinstate it first"},
    summary="Record actuals; a later value for a period replaces the earlier, kept in history",
)
def record_actuals(indicator_id: int):
    indicator = get_for_taskforce(Indicator, indicator_id, edit=True)
    points = [p.model_dump() for p in parse_list(ActualIn)]
    values = services.actuals_from_input(indicator, points)
    new, corrected = services.record_actuals(indicator, values, api_actor())
    return dump(ActualsRecorded(new=new, corrected=corrected, indicator=IndicatorOut.of(indicator)))


@operation(
    bp,
    "/taskforces/<int:taskforce_id>/actuals/import",
    "POST",
    tag=TAG,
    response=ActualsImported,
    multipart={
        "file": "The CSV or XLSX file of actuals: a header row (indicator, period, value), "
        "then one row per value"
    },
    summary="Import actuals from a CSV or XLSX file (multipart `file`): all rows or none",
)
def import_actuals(taskforce_id: int):
    tf = load_taskforce(taskforce_id, edit=True)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError.single("file", "Send the file as multipart form data named file")
    imported = imports.import_actuals(tf, upload.stream, upload.filename, api_actor())
    return dump(ActualsImported(imported=imported))


@operation(
    bp,
    "/indicators/<int:indicator_id>/chart.svg",
    "GET",
    tag=TAG,
    produces=charts.FORMATS["svg"],
    summary="The indicator's trajectory-versus-actual chart (SVG); /chart.png for PNG",
)
def indicator_chart_svg(indicator_id: int):
    return _chart(indicator_id, "svg")


@operation(
    bp,
    "/indicators/<int:indicator_id>/chart.png",
    "GET",
    tag=TAG,
    produces=charts.FORMATS["png"],
    summary="The indicator's trajectory-versus-actual chart (PNG)",
)
def indicator_chart_png(indicator_id: int):
    return _chart(indicator_id, "png")


def _chart(indicator_id: int, fmt: str) -> Response:
    indicator = get_for_taskforce(Indicator, indicator_id)
    points = services.series(indicator)  # once, for the drawing and its words
    content = charts.chart(indicator, fmt, points)
    transaction.finish()  # a read that keeps its drawing in the cache
    response = Response(content, mimetype=charts.FORMATS[fmt])
    response.headers["X-Chart-Description"] = (
        charts.describe(indicator, points)[:1000].encode("ascii", "replace").decode()
    )
    return response


record_routes(
    "assessments",
    Assessment,
    tag=TAG,
    schema_in=AssessmentIn,
    schema_out=AssessmentOut,
    change=AssessmentChange,
    out=AssessmentOut.of,
    add=assessments.add_assessment,
    update=assessments.update_assessment,
    noun="assessment",
    added="Record a likelihood-of-delivery assessment of one priority",
    listed="A task force's assessments, oldest first",
    changed="Correct an assessment; the audit trail keeps what it said before",
)

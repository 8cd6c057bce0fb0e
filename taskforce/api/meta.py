"""The API's description of itself."""

from flask import jsonify

from taskforce.api.core import bp
from taskforce.api.spec import openapi_document


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())

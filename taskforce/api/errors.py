"""The API's one error shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify


def api_error_response(status: int, code: str, message: str, fields=None, **extra):
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="taskforce"'
    return response

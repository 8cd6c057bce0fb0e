"""A paper's file as a download: streamed from storage, never from a web-root folder."""

from __future__ import annotations

from flask import Response

from taskforce.agenda.models import Paper, PaperVersion
from taskforce.agenda.services import MEDIA_TYPES, download_name
from taskforce.storage import get_storage


def paper_download(paper: Paper, version: PaperVersion, *, inline: bool = False) -> Response:
    """Stream one version of a paper with its media type and a safe file name."""
    name = download_name(paper, version)
    if version.kind == "markdown":
        body = (version.markdown or "").encode("utf-8")
        response = Response(body, mimetype="text/markdown")
        response.headers["Content-Type"] = MEDIA_TYPES["markdown"]
    else:
        # Read as the response goes out; a missing file fails here, before it starts.
        chunks = get_storage().stream(version.sha256)
        response = Response(chunks, content_type=MEDIA_TYPES[version.kind])
        response.headers["Content-Length"] = str(version.size)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

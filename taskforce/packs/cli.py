"""`flask pack build MEETING_ID -o FILE [--pdf]`: a meeting's pack as it stands now."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

pack_cli = AppGroup("pack", help="Agenda packs.")


@pack_cli.command("build")
@click.argument("meeting_id", type=int)
@click.option(
    "-o",
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the Word pack (.docx).",
)
@click.option("--pdf", "with_pdf", is_flag=True, help="Also write the PDF edition beside it.")
def build(meeting_id: int, output: Path, with_pdf: bool) -> None:
    """Write the meeting's pack as it stands now (the draft of its next version)."""
    from taskforce import transaction
    from taskforce.extensions import db
    from taskforce.meetings.models import Meeting
    from taskforce.packs import pdf, services

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"There is no meeting with id {meeting_id}.")
    draft = services.draft(meeting)
    transaction.finish()  # keep the charts drawn for it in the cache
    _write(output, draft.built.docx)
    click.echo(
        f"Wrote {output}: meeting {meeting.number} of the {meeting.taskforce.name}, draft of "
        f"version {draft.version}, {len(draft.built.docx) / 1024:,.0f} KB."
    )
    for warning in draft.warnings:
        click.echo(f"Warning: {warning}")
    if with_pdf:
        try:
            edition = services.draft_pdf(draft)
        except pdf.PdfUnavailable as problem:
            raise click.ClickException(str(problem)) from None
        target = output.with_suffix(".pdf")
        _write(target, edition.pdf)
        click.echo(f"Wrote {target}: the PDF edition, {len(edition.pdf) / 1024:,.0f} KB.")
        for warning in edition.warnings:
            click.echo(f"Warning: {warning}")


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise click.ClickException(f"Could not write {path}: {error.strerror}") from None

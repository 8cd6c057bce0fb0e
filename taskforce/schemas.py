"""Pydantic building blocks shared by every API schema."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictInt,
    StringConstraints,
    create_model,
)

from taskforce.db import MAX_ID
from taskforce.markdown import markdown_problem
from taskforce.text import (
    YEARS,
    address_problem,
    multi_line_problem,
    normalise_newlines,
    one_line_problem,
)


def _single_line(value: str) -> str:
    if problem := one_line_problem(value):
        raise ValueError(f"This field {problem}")
    return value


def _multi_line(value: str) -> str:
    value = normalise_newlines(value)
    if problem := multi_line_problem(value):
        raise ValueError(f"This field {problem}")
    return value


def _markdown(value: str) -> str:
    problem = markdown_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _in_years(value: date) -> date:
    if value.year not in YEARS:
        raise ValueError(f"give a date from {YEARS[0]} to {YEARS[-1]}")
    return value


def _deliverable(value: Any) -> Any:
    if isinstance(value, str) and (problem := address_problem(value.strip())):
        raise ValueError(problem)
    return value


#: The id of a row, given in a body: a JSON integer within the database's range.
Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]

#: A calendar date within the years the service works with.
Day = Annotated[date, AfterValidator(_in_years)]
#: An email address in the correct format that mail can be sent to (text.address_problem):
#: wherever an address is typed, as the web forms' EmailAddress.
#: Checked first, so that "zoë@…" is told what is wrong rather than that its format is.
EmailAddress = Annotated[EmailStr, BeforeValidator(_deliverable)]


def Line(max_length: int, min_length: int = 1):
    """A required one-line string, stripped, within the given lengths."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_single_line),
    ]


def Text(max_length: int):
    """Free text that may run over several lines."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_multi_line)]


def MarkdownText(max_length: int):
    """Markdown that will be rendered: free text plus the renderer's own limits."""
    return Annotated[Text(max_length), AfterValidator(_markdown)]


class Input(BaseModel):
    """A request body: unknown fields are refused so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Update(Input):
    """A PATCH body: a field may be left out, but only nullable fields may be sent as null."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    def null_errors(self) -> dict[str, list[str]]:
        return {
            name: ["This field cannot be emptied"]
            for name in sorted(self.model_fields_set)
            if getattr(self, name) is None and name not in self.NULLABLE
        }


def not_null(schema: dict[str, Any]) -> None:
    """Describe a PATCH field as optional but not nullable: null is refused (null_errors)."""
    options = [o for o in schema.pop("anyOf", []) if o != {"type": "null"}]
    if len(options) == 1:
        schema.update(options[0])
    elif options:
        schema["anyOf"] = options
    schema.pop("default", None)


def changes_to(
    model: type[BaseModel], name: str, *, nullable: tuple[str, ...] = (), **extra: Any
) -> type[Update]:
    """A PATCH body for what model creates: every field optional, checked by the same rules.

    Only the fields named in nullable may be sent as null (to empty them); extra adds fields
    a change can carry and a creation cannot, such as `version` or `closed`.
    """
    fields: dict[str, Any] = {}
    for field_name, info in model.model_fields.items():
        annotation = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        fields[field_name] = (
            annotation | None,
            Field(
                None,
                description=info.description,
                json_schema_extra=None if field_name in nullable else not_null,
            ),
        )
    fields["version"] = (
        StrictInt | None,
        Field(None, description="The version the change was made from: 409 if out of date"),
    )
    changed = create_model(name, __base__=Update, **fields, **extra)
    changed.NULLABLE = frozenset((*nullable, "version"))
    return changed

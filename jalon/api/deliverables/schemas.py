"""What the API reads and writes of deliverables. Writes refuse unknown fields.

ninja resolves these annotations at run time: every type named here is imported for real.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from django.contrib.auth.models import User
from ninja import Schema
from pydantic import Field, create_model

from jalon.api.errors import TAGGED_BODIES
from jalon.api.schemas import WriteSchema
from jalon.commitments.workflow import Described, Text, input_fields
from jalon.deliverables.models import Deliverable, DeliverableClock, Reservation, Submission
from jalon.deliverables.workflow import STEPS, DeliverableState, Step


class DeliverableOut(Schema):
    id: int
    reference: str
    title: str
    type: str
    type_label: str
    due_on: date
    status: DeliverableState = Field(description="expected, submitted, accepted, "
                                     "accepted_with_reservations, rejected, validated_tacitly.")
    versions: int
    decided_at: datetime | None

    @classmethod
    def of(cls, d: Deliverable) -> DeliverableOut:
        return cls(id=d.pk, reference=d.reference, title=d.title, type=d.type, type_label=d.type_label(),
                   due_on=d.due_on, status=DeliverableState(d.state), versions=d.versions,
                   decided_at=d.decided_at)


class SubmissionOut(Schema):
    version: int
    file_name: str
    size: int
    sha256: str
    submitted_by: str | None
    submitted_at: datetime
    outcome: str
    download_url: str

    @classmethod
    def of(cls, s: Submission, url: str) -> SubmissionOut:
        by: User | None = s.submitted_by
        return cls(version=s.version, file_name=s.original_name, size=s.size, sha256=s.sha256,
                   submitted_by=by.username if by else None, submitted_at=s.submitted_at,
                   outcome=s.outcome, download_url=url)


class ReservationOut(Schema):
    number: int
    text: str
    lift_by: date
    lifted_at: datetime | None

    @classmethod
    def of(cls, r: Reservation) -> ReservationOut:
        return cls(number=r.number, text=r.text, lift_by=r.lift_by, lifted_at=r.lifted_at)


class DeliverableClockOut(Schema):
    kind: str
    label: str
    started_at: datetime | None
    due_at: datetime | None
    stopped_at: datetime | None
    breached: bool

    @classmethod
    def of(cls, c: DeliverableClock) -> DeliverableClockOut:
        return cls(kind=c.kind, label=c.label, started_at=c.started_at, due_at=c.due_at,
                   stopped_at=c.stopped_at, breached=c.breached)


class DeliverableDetailOut(DeliverableOut):
    submissions: list[SubmissionOut]
    reservations: list[ReservationOut]
    clocks: list[DeliverableClockOut]


class DeliverableIn(WriteSchema):
    type: str = Field(max_length=60)
    title: str = Field(max_length=200)
    due_on: date


class Transition(WriteSchema):
    step: ClassVar[Step]

    def apply(self, deliverable: Deliverable, actor: User) -> Any:
        values = {f.name: getattr(self, f.name) for f in input_fields(self.step.input)}
        return self.step.run(deliverable, actor, self.step.input(**values))


def _annotation(field: Any) -> tuple[Any, Any]:
    meaning = field.meaning
    description = getattr(meaning, "description", "") or None
    default = ... if field.required else field.default
    if isinstance(meaning, Text):
        return str, Field(default, max_length=meaning.max_length, description=description)
    if isinstance(meaning, Described):
        return field.type, Field(default, ge=meaning.minimum, le=meaning.maximum, description=description)
    return field.type, Field(default)


def schema_of(step: Step) -> type[Transition]:
    fields: dict[str, Any] = {"action": (Literal[step.name], ...)}
    for field in input_fields(step.input):
        fields[field.name] = _annotation(field)
    name = "Deliverable" + "".join(part.title() for part in step.name.split("_"))
    schema = create_model(name, __base__=Transition, __doc__=step.input.__doc__, **fields)
    schema.step = step
    return schema


SCHEMAS = tuple(schema_of(step) for step in STEPS.values() if step.in_api)
if TYPE_CHECKING:
    AnyTransition = Transition
else:  # the body of ``POST …/transitions``: one of the schemas, by ``action``
    AnyTransition = Annotated[Union[SCHEMAS], Field(discriminator="action")]  # noqa: UP007
TAGGED_BODIES["step"] = frozenset(
    schema.step.name for schema in SCHEMAS)

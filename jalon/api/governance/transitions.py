"""``POST /contracts/{slug}/meetings/{id}/transitions``: one strict schema per step of the
meeting's workflow table (:data:`jalon.governance.workflow.STEPS`), told apart by ``action``,
generated from the step's input, as for tickets."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from django.contrib.auth.models import User
from pydantic import AwareDatetime, Field, create_model

from jalon.accounts.access import Need
from jalon.api.errors import TAGGED_BODIES
from jalon.api.schemas import WriteSchema
from jalon.commitments.workflow import Described, InputField, Text, input_fields
from jalon.governance.models import Meeting
from jalon.governance.workflow import STEPS, Step


class MeetingTransition(WriteSchema):
    step: ClassVar[Step]

    @property
    def need(self) -> Need:
        return self.step.need

    def apply(self, meeting: Meeting, actor: User) -> Any:
        values = {f.name: getattr(self, f.name) for f in input_fields(self.step.input)}
        return self.step.run(meeting, actor, self.step.input(**values))


def _annotation(field: InputField) -> tuple[Any, Any]:
    meaning = field.meaning
    description = getattr(meaning, "description", "") or None
    default = ... if field.required else field.default
    if isinstance(meaning, Text):
        return str, Field(default, max_length=meaning.max_length, description=description)
    kind = AwareDatetime if field.type is datetime else field.type
    if isinstance(meaning, Described):
        return kind, Field(default, description=description)
    return kind, Field(default)


def schema_of(step: Step) -> type[MeetingTransition]:
    fields: dict[str, Any] = {"action": (Literal[step.name], ...)}
    for field in input_fields(step.input):
        fields[field.name] = _annotation(field)
    name = "Meeting" + "".join(part.title() for part in step.name.split("_"))
    schema = create_model(name, __base__=MeetingTransition, **fields)
    schema.step = step
    return schema


SCHEMAS = tuple(schema_of(step) for step in STEPS.values())
if TYPE_CHECKING:
    AnyMeetingTransition = MeetingTransition
else:
    AnyMeetingTransition = Annotated[Union[SCHEMAS], Field(discriminator="action")]  # noqa: UP007
TAGGED_BODIES["meeting_step"] = frozenset(s.step.name for s in SCHEMAS)

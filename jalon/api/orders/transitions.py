"""``POST /contracts/{slug}/orders/{number}/transitions``: one strict schema per step of the
order's workflow table (:data:`jalon.orders.workflow.STEPS`), told apart by ``action``,
generated from the step's input (like ``api/tickets/transitions.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from django.contrib.auth.models import User
from pydantic import Field, create_model

from jalon.accounts.access import Need
from jalon.api.errors import TAGGED_BODIES
from jalon.api.schemas import WriteSchema
from jalon.commitments.workflow import Described, InputField, Text, input_fields
from jalon.orders.models import Order
from jalon.orders.workflow import STEPS, Step


class Transition(WriteSchema):
    step: ClassVar[Step]

    @property
    def need(self) -> Need:
        return self.step.need

    def apply(self, order: Order, actor: User) -> Any:
        values = {f.name: getattr(self, f.name) for f in input_fields(self.step.input)}
        return self.step.run(order, actor, self.step.input(**values))


def _annotation(field: InputField) -> tuple[Any, Any]:
    meaning = field.meaning
    description = getattr(meaning, "description", "") or None
    default = ... if field.required else field.default
    if isinstance(meaning, Text):
        return str, Field(default, max_length=meaning.max_length, description=description)
    if isinstance(meaning, Described) and field.type is int:
        return int, Field(default, ge=meaning.minimum, le=meaning.maximum, description=description)
    return field.type, Field(default, description=description)


def schema_of(step: Step) -> type[Transition]:
    fields: dict[str, Any] = {"action": (Literal[step.name], ...)}
    for field in input_fields(step.input):
        fields[field.name] = _annotation(field)
    name = "Order" + "".join(part.title() for part in step.name.split("_"))
    schema = create_model(name, __base__=Transition, __doc__=step.input.__doc__, **fields)
    schema.step = step
    return schema


SCHEMAS = tuple(schema_of(step) for step in STEPS.values() if step.in_api)
ACTIONS = tuple(schema.step.name for schema in SCHEMAS)
if TYPE_CHECKING:
    AnyOrderTransition = Transition
else:
    AnyOrderTransition = Annotated[Union[SCHEMAS], Field(discriminator="action")]  # noqa: UP007
TAGGED_BODIES["order_transition"] = frozenset(ACTIONS)

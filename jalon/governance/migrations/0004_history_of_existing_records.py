"""Decisions, actions and risks recorded before their history existed get its first line
("created", at their creation instant), so that every history starts with the record."""

from django.db import migrations


def first_lines(apps, schema_editor):  # type: ignore[no-untyped-def]
    for model, event, key, actor in (("Decision", "DecisionEvent", "decision", "created_by_id"),
                                     ("Action", "ActionEvent", "action", None),
                                     ("Risk", "RiskEvent", "risk", None)):
        records = apps.get_model("governance", model)
        events = apps.get_model("governance", event)
        done = set(events.objects.values_list(f"{key}_id", flat=True))
        events.objects.bulk_create([
            events(**{key: r}, kind="created", actor_id=getattr(r, actor) if actor else None, at=r.created_at,
                   payload={"title": r.title})
            for r in records.objects.exclude(pk__in=done).iterator()])


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_actionevent_decisionevent_riskevent_actionclock")]
    operations = [migrations.RunPython(first_lines, migrations.RunPython.noop)]

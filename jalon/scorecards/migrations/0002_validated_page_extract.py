"""A validated scorecard keeps, beside its figures, what its page shows (the first evidence rows,
their count, the frozen measures), so that the page never reads the archive; scorecards validated
before are given theirs from their own archive."""

import io
import zipfile
from typing import Any

from django.db import migrations, models


def extract_from_archives(apps: Any, schema_editor: Any) -> None:
    from jalon.scorecards.freeze import page_extract

    Card = apps.get_model("scorecards", "PeriodScorecard")
    for pk in Card.objects.filter(status="validated", shown__isnull=True).values_list("pk", flat=True):
        blob = Card.objects.filter(pk=pk).values_list("archive", flat=True).first()
        if not blob:
            continue
        with zipfile.ZipFile(io.BytesIO(bytes(blob))) as z:
            members = {name: z.read(name) for name in ("evidence.csv", "inputs/measures.csv")}
        Card.objects.filter(pk=pk).update(shown=page_extract(members))


class Migration(migrations.Migration):

    dependencies = [
        ('scorecards', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='periodscorecard',
            name='shown',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='extrait affiché'),
        ),
        migrations.RunPython(extract_from_archives, migrations.RunPython.noop),
    ]

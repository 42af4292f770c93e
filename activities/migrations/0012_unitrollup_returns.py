"""UnitRollup.returns: the reviewers' decisions that returned an activity, per unit subtree,
campaign and month, beside `reviews` — so that the assessment's review quality (evaluations.scoring)
reads the roll-ups instead of joining every decision to its activity. Filled here from the events
as activities.rollups.rollups_rebuild counts them (the units above the activity's unit, itself
included; the month of the decision in the site's zone)."""

from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone

STEPLEN = 4  # units.models.STEPLEN: treebeard's path step
BATCH = 1000


def fill_returns(apps, schema_editor):
    ActivityEvent = apps.get_model("activities", "ActivityEvent")
    UnitRollup = apps.get_model("activities", "UnitRollup")
    Unit = apps.get_model("units", "Unit")
    ids = dict(Unit.objects.values_list("path", "pk"))
    counts: dict[tuple, int] = defaultdict(int)
    returns = ActivityEvent.objects.filter(action="return").values_list(
        "activity__unit__path", "activity__campaign_id", "created_at"
    )
    for path, campaign_id, created_at in returns.iterator(chunk_size=BATCH):
        day = timezone.localdate(created_at)
        month = day.replace(day=1)
        for end in range(STEPLEN, len(path) + 1, STEPLEN):
            unit_id = ids.get(path[:end])
            if unit_id is not None:
                counts[(unit_id, campaign_id, month)] += 1
    if not counts:
        return
    UnitRollup.objects.bulk_create(
        [UnitRollup(unit_id=u, campaign_id=c, month=m, line="") for u, c, m in counts],
        ignore_conflicts=True,
        batch_size=BATCH,
    )
    rows = UnitRollup.objects.filter(
        line="", unit_id__in={k[0] for k in counts}, campaign_id__in={k[1] for k in counts}
    ).values_list("pk", "unit_id", "campaign_id", "month")
    changes = [(pk, counts[(u, c, m)]) for pk, u, c, m in rows.iterator() if (u, c, m) in counts]
    quote = schema_editor.connection.ops.quote_name
    table = quote(UnitRollup._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for start in range(0, len(changes), BATCH):
            chunk = changes[start : start + BATCH]
            cursor.execute(
                f"UPDATE {table} SET {quote('returns')} = v.column2"
                f" FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS v"
                f" WHERE {table}.{quote('id')} = v.column1",
                [value for change in chunk for value in change],
            )


class Migration(migrations.Migration):
    dependencies = [("activities", "0011_scoring_index"), ("units", "0002_depth_index")]

    operations = [
        migrations.AddField(
            model_name="unitrollup",
            name="returns",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(fill_returns, migrations.RunPython.noop),
    ]

"""An honour's year is its round's — its campaign's, the year the campaign starts — rather than
the year of the decision: a 2010 round commended in January 2011 is on the roll under 2010. The
honours conferred so far take their round's year; certificate numbers keep the decision's."""

from django.db import migrations


def to_the_rounds_year(apps, schema_editor):
    Honour = apps.get_model("evaluations", "Honour")
    for honour in Honour.objects.select_related("application__round__campaign").only(
        "year", "application__round__campaign__starts_on"
    ):
        year = honour.application.round.campaign.starts_on.year
        if honour.year != year:
            honour.year = year
            honour.save(update_fields=["year"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_honour_objection_public_id")]

    operations = [migrations.RunPython(to_the_rounds_year, migrations.RunPython.noop)]

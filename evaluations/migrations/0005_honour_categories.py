"""The categories of honour (评选表彰) from the document and practice, seeded: collectives and
individuals, each with the lines and unit kinds of the units that apply for it or nominate for it.
The names are Chinese proper names; each description starts with its English rendering."""

from django.db import migrations

PARTY_KINDS = ["party_committee", "party_working_committee", "party_branch"]
UNION_KINDS = ["trade_union"]
LEAGUE_KINDS = ["league_committee", "league_branch"]
WOMEN_KINDS = ["women_federation", "women_committee"]

# (code, name, kind, lines, unit kinds, description)
CATEGORIES = [
    (
        "advanced_party_org",
        "先进基层党组织",
        "collective",
        ["party"],
        PARTY_KINDS,
        "Advanced grassroots Party organisation: a Party committee or branch that led its "
        "mass organisations well in the campaign.",
    ),
    (
        "workers_pioneer",
        "工人先锋号",
        "collective",
        ["union"],
        UNION_KINDS,
        "Workers' Pioneer: a team, workshop or unit recommended through the trade unions.",
    ),
    (
        "youth_civilisation",
        "青年文明号",
        "collective",
        ["league"],
        LEAGUE_KINDS,
        "Youth Civilisation Post: a collective of young people recommended through the League.",
    ),
    (
        "women_civilisation",
        "巾帼文明岗",
        "collective",
        ["women"],
        WOMEN_KINDS,
        "Women's Civilisation Post: a collective of women recommended through the Women's "
        "Federation.",
    ),
    (
        "five_good_family",
        "五好文明家庭",
        "collective",
        ["women"],
        WOMEN_KINDS,
        "Five-Good Civilised Family: a family, named by the women's federation or committee "
        "that nominates it.",
    ),
    (
        "outstanding_party_member",
        "优秀共产党员",
        "individual",
        ["party"],
        PARTY_KINDS,
        "Outstanding Communist Party member.",
    ),
    (
        "outstanding_party_worker",
        "优秀党务工作者",
        "individual",
        ["party"],
        PARTY_KINDS,
        "Outstanding Party affairs worker.",
    ),
    (
        "gold_medal_worker",
        "金牌工人",
        "individual",
        ["union"],
        UNION_KINDS,
        "Gold-Medal Worker: a worker of outstanding skill, nominated through the trade union.",
    ),
    (
        "innovation_expert",
        "创新能手",
        "individual",
        ["union"],
        UNION_KINDS,
        "Innovation Expert: a worker whose innovations and rationalisation proposals stood out.",
    ),
    (
        "outstanding_union_worker",
        "优秀工会工作者",
        "individual",
        ["union"],
        UNION_KINDS,
        "Outstanding trade-union worker.",
    ),
    (
        "outstanding_league_member",
        "优秀团员",
        "individual",
        ["league"],
        LEAGUE_KINDS,
        "Outstanding Communist Youth League member.",
    ),
    (
        "outstanding_league_cadre",
        "优秀团干部",
        "individual",
        ["league"],
        LEAGUE_KINDS,
        "Outstanding Youth League cadre.",
    ),
    (
        "women_achiever",
        "巾帼建功标兵",
        "individual",
        ["women"],
        WOMEN_KINDS,
        "Women's Achievement Pacesetter (巾帼建功).",
    ),
]


def seed(apps, schema_editor):
    HonourCategory = apps.get_model("evaluations", "HonourCategory")
    for order, (code, name, kind, lines, kinds, description) in enumerate(CATEGORIES, start=1):
        HonourCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "lines": lines,
                "unit_kinds": kinds,
                "description": description,
                "sort_order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    HonourCategory = apps.get_model("evaluations", "HonourCategory")
    Application = apps.get_model("evaluations", "Application")
    codes = [row[0] for row in CATEGORIES]
    used = set(Application.objects.values_list("category__code", flat=True))
    HonourCategory.objects.filter(code__in=[c for c in codes if c not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_assessment_honours")]

    operations = [migrations.RunPython(seed, unseed)]

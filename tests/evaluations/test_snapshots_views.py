"""The pages of assessment snapshots: the list, a snapshot, the objection form and page, the
answer, the exports; the public notice. Who may do what: admins of the organising unit take,
publish and answer; a unit's staff object; an outsider gets a 404, an anonymous visitor the login
page (the public notice excepted); query counts stay constant as units are added."""

import datetime
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluations import snapshot_services as services
from evaluations.models import (
    ObjectionOutcome,
    ReportFile,
    RuleKind,
    ScoreObjection,
    Snapshot,
    SnapshotRow,
)
from evaluations.snapshot_services import Result
from tests.conftest import _member
from tests.evaluations.conftest import new_address, new_client
from tests.evaluations.snapshot_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.snapshot_fixtures import rules
from tests.factories import UnitFactory, pdf_bytes
from units.models import Role

pytestmark = pytest.mark.django_db


def as_user(user, language: str = "en"):
    client = new_client(language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def objection(published, staff, tree):
    return services.objection_file(staff, published, tree.branch_a1, reasons="少算了一次活动")


def notice(snapshot) -> str:
    return reverse("public:notice", args=[snapshot.public_id])


# --- Taking and publishing -----------------------------------------------------------------------


def test_an_admin_takes_a_snapshot_from_the_list(campaign, city_admin, scores):
    client = as_user(city_admin)
    page = client.get(reverse("evaluations:snapshots", args=[campaign.pk]))
    assert 'data-testid="snapshot-take"' in page.content.decode()

    response = client.post(reverse("evaluations:snapshot_take", args=[campaign.pk]))

    snapshot = Snapshot.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluations:snapshot", args=[snapshot.pk])
    assert snapshot.taken_by == city_admin
    assert SnapshotRow.objects.filter(snapshot=snapshot).count() == 3


@pytest.mark.parametrize("who", ["staff", "admin_user", "reviewer", "leader"])
def test_others_may_not_take_a_snapshot(request, campaign, scores, who):
    response = as_user(request.getfixturevalue(who)).post(
        reverse("evaluations:snapshot_take", args=[campaign.pk])
    )
    assert response.status_code == 403
    assert not Snapshot.objects.exists()


def test_an_outsider_does_not_see_a_draft(taken, outsider):
    client = as_user(outsider)
    assert client.get(reverse("evaluations:snapshot", args=[taken.pk])).status_code == 404
    for url in ("snapshot_xlsx", "snapshot_print"):
        assert client.get(reverse(f"evaluations:{url}", args=[taken.pk])).status_code == 404


def test_a_campaign_not_covering_the_user_is_a_404(taken, tree):
    stranger = _member(UnitFactory(code="ELSEWHERE"), Role.ADMIN, "stranger")
    client = as_user(stranger)
    assert client.get(reverse("evaluations:snapshots", args=[taken.campaign_id])).status_code == 404
    response = client.post(reverse("evaluations:snapshot_take", args=[taken.campaign_id]))
    assert response.status_code == 404
    assert Snapshot.objects.count() == 1


def test_a_draft_is_hidden_from_units_below(taken, staff):
    client = as_user(staff)
    assert client.get(reverse("evaluations:snapshot", args=[taken.pk])).status_code == 404
    listing = client.get(reverse("evaluations:snapshots", args=[taken.campaign_id]))
    assert listing.status_code == 200
    assert 'data-testid="snapshot-row"' not in listing.content.decode()


def test_an_admin_publishes_with_a_window(taken, city_admin):
    response = as_user(city_admin).post(
        reverse("evaluations:snapshot_publish", args=[taken.pk]), {"window_days": "7"}
    )
    taken.refresh_from_db()
    assert response.status_code == 302
    assert taken.is_published and taken.window_days == 7
    assert taken.window_ends_on is not None


def test_a_bad_window_is_a_400_with_a_message(taken, city_admin):
    response = as_user(city_admin).post(
        reverse("evaluations:snapshot_publish", args=[taken.pk]), {"window_days": "99x"}
    )
    assert response.status_code == 400
    taken.refresh_from_db()
    assert not taken.is_published


@pytest.mark.parametrize("who", ["staff", "admin_user"])
def test_others_may_not_publish(request, published, taken, who):
    snapshot = services.snapshot_take(taken.taken_by, taken.campaign)
    response = as_user(request.getfixturevalue(who)).post(
        reverse("evaluations:snapshot_publish", args=[snapshot.pk]), {"window_days": "5"}
    )
    assert response.status_code in (403, 404)
    snapshot.refresh_from_db()
    assert not snapshot.is_published


# --- Objections ----------------------------------------------------------------------------------


def test_a_unit_files_an_objection_with_a_file_and_sees_the_answer(
    published, staff, city_admin, tree
):
    client = as_user(staff, "zh-hans")
    page = client.get(reverse("evaluations:snapshot", args=[published.pk])).content.decode()
    form_url = reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk])
    assert form_url in page

    upload = SimpleUploadedFile("证明.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(form_url, {"reasons": "少算了一次活动", "files": [upload]})

    found = ScoreObjection.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("evaluations:objection", args=[found.pk])
    assert (found.unit, found.filed_by, found.reasons) == (tree.branch_a1, staff, "少算了一次活动")
    item = ReportFile.objects.get(score_objection=found)
    download = client.get(reverse("evaluations:report_file", args=[item.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    admin = as_user(city_admin)
    answered = admin.post(
        reverse("evaluations:objection_answer", args=[found.pk]),
        {"outcome": "rejected", "answer": "该活动不在本期范围内。"},
    )
    assert answered.status_code == 302
    found.refresh_from_db()
    assert found.outcome == ObjectionOutcome.REJECTED

    mine = client.get(reverse("evaluations:objection", args=[found.pk])).content.decode()
    assert "该活动不在本期范围内。" in mine and 'data-testid="answer-form"' not in mine


def test_the_objection_form_shows_the_units_points_and_their_formula(published, staff, tree):
    response = as_user(staff).get(
        reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="own-rule"') == 2
    assert "66.50 / 70" in page and "3 of 4 activities done" in page


def test_an_objection_after_the_window_is_refused_with_a_message(published, staff, tree):
    Snapshot.objects.filter(pk=published.pk).update(
        window_ends_on=datetime.date.today() - datetime.timedelta(days=3)
    )
    response = as_user(staff).post(
        reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk]),
        {"reasons": "too late"},
    )
    assert response.status_code == 400
    assert "no longer taken" in response.content.decode()
    assert not ScoreObjection.objects.exists()


def test_a_fake_file_is_a_400_not_a_500(published, staff, tree):
    upload = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = as_user(staff).post(
        reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk]),
        {"reasons": "x", "files": [upload]},
    )
    assert response.status_code == 400
    assert not ScoreObjection.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "admin_user", "city_admin", "leader"])
def test_only_the_units_own_people_object(request, published, tree, who):
    response = as_user(request.getfixturevalue(who)).post(
        reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk]),
        {"reasons": "x"},
    )
    assert response.status_code == 403
    assert not ScoreObjection.objects.exists()


def test_an_outsider_may_not_object_nor_read_an_objection(published, objection, outsider, tree):
    client = as_user(outsider)
    response = client.post(
        reverse("evaluations:objection_add", args=[published.pk, tree.branch_a1.pk]),
        {"reasons": "x"},
    )
    assert response.status_code == 404
    assert client.get(reverse("evaluations:objection", args=[objection.pk])).status_code == 404
    assert ScoreObjection.objects.count() == 1


@pytest.mark.parametrize("who", ["staff", "admin_user", "reviewer", "outsider"])
def test_only_admins_of_the_organising_unit_answer(request, objection, who):
    response = as_user(request.getfixturevalue(who)).post(
        reverse("evaluations:objection_answer", args=[objection.pk]),
        {"outcome": "rejected", "answer": "no"},
    )
    assert response.status_code in (403, 404)
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.PENDING


def test_upholding_takes_a_corrected_version_the_unit_sees(objection, city_admin, staff, scores):
    scores.by_code["A1"] = ("95.00", 1, "excellent", "73.00", "22.00")
    response = as_user(city_admin).post(
        reverse("evaluations:objection_answer", args=[objection.pk]),
        {"outcome": "upheld", "answer": "补录活动，重新计分。"},
    )
    objection.refresh_from_db()
    corrected = objection.correction
    assert response.status_code == 302 and corrected.version == 2
    assert corrected.corrects_id == objection.snapshot_id
    assert SnapshotRow.objects.get(snapshot=corrected, unit=objection.unit).total == Decimal("95")
    page = as_user(staff).get(reverse("evaluations:objection", args=[objection.pk]))
    assert reverse("evaluations:snapshot", args=[corrected.pk]) in page.content.decode()
    old = as_user(staff).get(reverse("evaluations:snapshot", args=[objection.snapshot_id]))
    assert old.status_code == 200
    assert 'data-testid="replaced-by"' in old.content.decode()


def test_an_answer_without_text_is_a_400(objection, city_admin):
    response = as_user(city_admin).post(
        reverse("evaluations:objection_answer", args=[objection.pk]), {"outcome": "upheld"}
    )
    assert response.status_code == 400
    assert not Snapshot.objects.filter(version=2).exists()


def test_anonymous_visitors_are_sent_to_log_in(published, objection):
    client = new_client()
    for url in (
        reverse("evaluations:snapshots", args=[published.campaign_id]),
        reverse("evaluations:snapshot", args=[published.pk]),
        reverse("evaluations:snapshot_xlsx", args=[published.pk]),
        reverse("evaluations:snapshot_print", args=[published.pk]),
        reverse("evaluations:objection", args=[objection.pk]),
    ):
        assert client.get(url).status_code == 302
    for url in (
        reverse("evaluations:snapshot_take", args=[published.campaign_id]),
        reverse("evaluations:snapshot_publish", args=[published.pk]),
        reverse("evaluations:objection_add", args=[published.pk, objection.unit_id]),
        reverse("evaluations:objection_answer", args=[objection.pk]),
    ):
        assert client.post(url, {"reasons": "x", "answer": "x"}).status_code == 302
    assert ScoreObjection.objects.count() == 1
    assert Snapshot.objects.count() == 1


# --- Final in the list ---------------------------------------------------------------------------


def test_the_list_says_what_waits_and_what_is_final(published, objection, city_admin):
    client = as_user(city_admin)
    url = reverse("evaluations:snapshots", args=[published.campaign_id])
    page = client.get(url).content.decode()
    assert 'data-testid="status-notice"' in page and 'data-testid="status-final"' not in page

    Snapshot.objects.filter(pk=published.pk).update(
        window_ends_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    page = client.get(url).content.decode()
    assert 'data-testid="status-waiting"' in page

    services.objection_answer(city_admin, objection, upheld=False, answer="no")
    page = client.get(url).content.decode()
    assert 'data-testid="status-final"' in page


# --- Exports -------------------------------------------------------------------------------------


def test_the_xlsx_holds_the_ranking_with_every_rules_points(published, staff, tree):
    SnapshotRow.objects.filter(snapshot=published, unit=tree.branch_b1)  # rows are frozen
    response = as_user(staff, "zh-hans").get(
        reverse("evaluations:snapshot_xlsx", args=[published.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[1]
    with translation.override("zh-hans"):
        named = ["Peer group", "Rank", "Units in the group", "Code", "Unit", "Points", "Grade"]
        expected = [translation.gettext(name) for name in named]
        expected += [str(RuleKind.TARGETS.label), str(RuleKind.APPRAISAL.label)]
    assert header == expected
    assert header[0] != "Peer group"  # in Chinese
    by_code = {row[3]: row for row in values[2:]}
    assert set(by_code) == {"A1", "A2", "B1"}
    a1 = by_code["A1"]
    assert a1[4] == "机关第一党支部" and a1[1] == 1 and a1[2] == 2
    assert Decimal(str(a1[5])) == Decimal("88.5")
    assert [Decimal(str(v)) for v in a1[7:]] == [Decimal("66.5"), Decimal("22")]


def test_a_unit_named_like_a_formula_stays_text_in_the_xlsx(campaign, city_admin, scores, tree):
    tree.branch_a1.name = '=HYPERLINK("http://x")'
    tree.branch_a1.save()
    snapshot = services.snapshot_take(city_admin, campaign)
    response = as_user(city_admin).get(reverse("evaluations:snapshot_xlsx", args=[snapshot.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[4] for row in sheet.iter_rows(min_row=3)]
    found = [cell for cell in cells if str(cell.value).startswith("=")]
    assert found and all(cell.data_type == "s" for cell in found)


def test_the_a4_page_prints_the_whole_ranking(published, staff):
    response = as_user(staff, "zh-hans").get(
        reverse("evaluations:snapshot_print", args=[published.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "css/snapshot_print.css" in page
    assert page.count('data-testid="print-row"') == 3
    assert "机关第一党支部" in page and "88.50" in page
    assert notice(published) in page


def test_the_print_css_is_a4():
    from django.contrib.staticfiles import finders

    with open(finders.find("css/snapshot_print.css"), encoding="utf-8") as handle:
        css = handle.read()
    assert "size: A4" in css


# --- The public notice ---------------------------------------------------------------------------


def test_the_public_notice_shows_the_ranking_and_nothing_private(
    published, objection, staff, city_admin
):
    response = new_client("zh-hans").get(notice(published))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="ranking-row"') == 3
    assert "机关第一党支部" in page and "88.50" in page
    with translation.override("zh-hans"):
        assert str(RuleKind.TARGETS.label) in page
    for private in (
        "少算了一次活动",
        staff.name,
        city_admin.name,
        staff.username,
        city_admin.username,
        staff.email,
        city_admin.email,
        "/evaluations/",
    ):
        assert private not in page
    assert f">{published.pk}<" not in page
    assert 'data-testid="scaled-note"' not in page  # no rule was left out for anyone


def test_points_above_a_columns_weight_explain_themselves(
    campaign, city_admin, scores, monkeypatch, staff, tree
):
    frozen = scores.results

    def with_appraisal_left_out(of_campaign):
        scheme, found = frozen(of_campaign)
        targets, appraisal = found[0].rules  # A1: targets alone, scaled up to 100 (of 70)
        scaled = [{**targets, "points": "100.00"}, {**appraisal, "points": "0", "excluded": True}]
        found[0] = replace(found[0], total=Decimal("100.00"), rules=scaled)
        return scheme, found

    monkeypatch.setattr(services, "results_for", with_appraisal_left_out)
    snapshot = services.snapshot_publish(
        city_admin, services.snapshot_take(city_admin, campaign), window_days=5
    )
    public = new_client("zh-hans").get(notice(snapshot)).content.decode()
    assert 'data-testid="scaled-note"' in public and "其余规则按比例放大" in public
    client = as_user(staff)
    for url in (
        reverse("evaluations:snapshot", args=[snapshot.pk]),
        reverse("evaluations:objection_add", args=[snapshot.pk, tree.branch_a1.pk]),
        reverse("evaluations:snapshot_print", args=[snapshot.pk]),
    ):
        assert 'data-testid="scaled-note"' in client.get(url).content.decode(), url


def test_an_unpublished_snapshot_is_a_404_in_public(taken):
    assert new_client().get(notice(taken)).status_code == 404
    assert new_client().get(reverse("public:notice", args=["x" * 500])).status_code == 404


def test_a_replaced_notice_links_to_its_correction(objection, city_admin):
    corrected = services.objection_answer(
        city_admin, objection, upheld=True, answer="补录活动后重新计分"
    ).correction
    page = new_client().get(notice(objection.snapshot)).content.decode()
    assert notice(corrected) in page
    response = new_client().get(notice(corrected))
    assert response.status_code == 200
    shown = response.content.decode()
    assert 'data-testid="notice-correction"' in shown
    # the answer to an objection is the unit's and the admins', not the public's
    assert "补录活动后重新计分" not in shown and "少算了一次活动" not in shown


def test_a_burst_on_the_notice_is_a_429(settings, published):
    settings.PUBLIC_PAGE_RATE = "3/m"
    client = new_client()
    client.defaults["REMOTE_ADDR"] = new_address()
    codes = [client.get(notice(published)).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[-1] == 429


# --- Query counts --------------------------------------------------------------------------------


def _more_units(tree, scores, n):
    units = []
    for index in range(n):
        unit = UnitFactory(parent=tree.committee_b, code=f"X{index}")
        unit.refresh_from_db()
        units.append(unit)
    original = scores.results

    def results(campaign):
        extra = [
            Result(u.pk, Decimal("50"), "党支部 · 3", 3 + i, 2 + n, "poor", rules("30", "20"))
            for i, u in enumerate(units)
        ]
        scheme, found = original(campaign)
        return scheme, found + extra

    return results


@pytest.mark.parametrize("name", ["snapshot", "notice", "print", "list"])
def test_pages_cost_constant_queries(
    name, campaign, city_admin, scores, tree, monkeypatch, django_assert_max_num_queries
):
    client = as_user(city_admin)

    def url(snapshot):
        return {
            "snapshot": reverse("evaluations:snapshot", args=[snapshot.pk]),
            "notice": notice(snapshot),
            "print": reverse("evaluations:snapshot_print", args=[snapshot.pk]),
            "list": reverse("evaluations:snapshots", args=[campaign.pk]),
        }[name]

    small = services.snapshot_publish(
        city_admin, services.snapshot_take(city_admin, campaign), window_days=5
    )
    client.get(url(small))
    with django_assert_max_num_queries(20) as first:
        assert client.get(url(small)).status_code == 200
    monkeypatch.setattr(services, "results_for", _more_units(tree, scores, 12))
    big = services.snapshot_publish(
        city_admin, services.snapshot_take(city_admin, campaign), window_days=5
    )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url(big)).status_code == 200


def test_taking_a_snapshot_costs_constant_queries(
    campaign, city_admin, scores, tree, monkeypatch, django_assert_max_num_queries
):
    """Rows are written in bulk: 3 units or 3 + 40 cost the same queries."""
    services.snapshot_take(city_admin, campaign)
    with django_assert_max_num_queries(30) as small:
        services.snapshot_take(city_admin, campaign)
    monkeypatch.setattr(services, "results_for", _more_units(tree, scores, 40))
    with django_assert_max_num_queries(len(small.captured_queries)):
        big = services.snapshot_take(city_admin, campaign)
    assert SnapshotRow.objects.filter(snapshot=big).count() == 43

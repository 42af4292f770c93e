"""Who may do what on the honours pages: the organiser's admins create rounds and set quotas;
a unit's staff apply, submit and withdraw; the reviewers of the level an application waits at
recommend or decline; an outsider gets a 404 for what is not theirs and anonymous visitors the
login page. The queues cost the same number of queries however many rows."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations import honour_services as services
from evaluations.models import Application, ApplicationStatus, HonourRound, Quota, Recommendation
from tests.conftest import _member
from tests.evaluations.conftest import new_client
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_fixtures import CASE, apply
from tests.factories import UnitFactory
from units.models import Role, UnitKind

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = new_client()
    if user is not None:
        client.force_login(user)
    return client


def page(application) -> str:
    return reverse("evaluations:honour_application", args=[application.pk])


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def steps(application) -> list[str]:
    return list(
        Recommendation.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["union_staff", "reviewer", "city_reviewer", "leader", "city_admin"]
)
def test_everyone_on_or_above_the_unit_reads_the_application(request, who, submitted_application):
    response = as_user(request.getfixturevalue(who)).get(page(submitted_application))
    assert response.status_code == 200
    body = response.content.decode()
    assert "机关工会维修班组" in body and "王建国" in body
    assert 'data-testid="assessment"' in body and 'data-testid="activity-count"' in body


def test_an_outsider_gets_404_and_anonymous_the_login_page(submitted_application, outsider):
    pk = submitted_application.pk
    urls = {
        "get": [
            page(submitted_application),
            reverse("evaluations:honour_application_edit", args=[pk]),
        ],
        "post": [
            reverse("evaluations:honour_submit", args=[pk]),
            reverse("evaluations:honour_withdraw", args=[pk]),
            reverse("evaluations:honour_recommend", args=[pk]),
            reverse("evaluations:honour_decline", args=[pk]),
            reverse("evaluations:honour_upload", args=[pk]),
        ],
    }
    client = as_user(outsider)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"level": 1, "reason": "x"}).status_code == 404, url
    anonymous = new_client()
    login = reverse("accounts:login")
    for url in urls["get"] + [reverse("evaluations:honours"), reverse("evaluations:honour_queue")]:
        response = anonymous.get(url)
        assert response.status_code == 302 and response.url.startswith(login), url
    for url in urls["post"]:
        response = anonymous.post(url, {"level": 1, "reason": "x"})
        assert response.status_code == 302 and response.url.startswith(login), url
    found = fresh(submitted_application)
    assert found.status == ApplicationStatus.WAITING and steps(found) == ["submit"]


def test_the_outsider_does_not_see_the_application_in_the_round(submitted_application, outsider):
    response = as_user(outsider).get(
        reverse("evaluations:honour_round", args=[submitted_application.round_id])
    )
    assert response.status_code == 200  # the city's round covers committee_b too
    assert "机关工会维修班组" not in response.content.decode()


# --- Rounds and quotas -------------------------------------------------------------------------


def round_data(**more):
    today = timezone.localdate().isoformat()
    return {"title": "年度评选", "opens_on": today, "closes_on": today, "publicity_days": 5, **more}


def test_the_organisers_admin_creates_a_round_others_are_refused(
    honour_running, city_admin, admin_user, staff, outsider
):
    url = reverse("evaluations:honour_round_create")
    for who in (admin_user, staff, outsider):
        response = as_user(who).post(url, round_data(campaign=honour_running.pk))
        assert response.status_code == 403
    assert not HonourRound.objects.exists()
    response = as_user(city_admin).post(url, round_data(campaign=honour_running.pk))
    made = HonourRound.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/honours/rounds/{made.pk}/")
    assert made.campaign == honour_running and made.created_by == city_admin


def test_a_bad_round_is_a_400_with_the_message(honour_running, city_admin):
    today = timezone.localdate()
    data = round_data(
        campaign=honour_running.pk, opens_on=today.isoformat(), closes_on="2000-01-01"
    )
    response = as_user(city_admin).post(reverse("evaluations:honour_round_create"), data)
    assert response.status_code == 400
    assert "cannot close before they open" in response.content.decode()
    assert not HonourRound.objects.exists()


def test_quotas_are_set_by_the_organisers_admin_only(
    honour_round, city_admin, admin_user, reviewer, outsider, pioneer
):
    url = reverse("evaluations:honour_quota_set", args=[honour_round.pk])
    data = {"category": pioneer.pk, "unit_kind": UnitKind.PARTY_WORKING_COMMITTEE, "count": 2}
    for who in (admin_user, reviewer, outsider):
        assert as_user(who).post(url, data).status_code == 403
    assert not Quota.objects.exists()
    assert new_client().post(url, data).status_code == 302  # to the login page
    assert not Quota.objects.exists()
    response = as_user(city_admin).post(url, data)
    assert response.status_code == 302
    quota = Quota.objects.get()
    assert (quota.category, quota.unit_kind, quota.count) == (pioneer, "party_working_committee", 2)
    shown = as_user(city_admin).get(reverse("evaluations:honour_round", args=[honour_round.pk]))
    assert "every Party working committee" in shown.content.decode()
    delete = reverse("evaluations:honour_quota_delete", args=[quota.pk])
    assert as_user(admin_user).post(delete).status_code == 403
    assert as_user(city_admin).post(delete).status_code == 302
    assert not Quota.objects.exists()


def test_a_round_page_shows_the_quotas_and_the_apply_button(
    honour_round, city_admin, union_staff, pioneer
):
    services.quota_set(city_admin, honour_round, category=pioneer, count=2)
    body = as_user(union_staff).get(reverse("evaluations:honour_round", args=[honour_round.pk]))
    text = body.content.decode()
    assert 'data-testid="apply"' in text and 'data-testid="quota-row"' in text
    assert 'data-testid="quota-form"' not in text  # staff do not set quotas
    admin_page = as_user(city_admin).get(
        reverse("evaluations:honour_round", args=[honour_round.pk])
    )
    assert 'data-testid="quota-form"' in admin_page.content.decode()
    # The organiser reaches the shortlist's notice and commendation from the round; staff do not.
    assert 'data-testid="notice-link"' in admin_page.content.decode()
    assert 'data-testid="notice-link"' not in text
    # Every column of the quota table has a header: the admin's "remove" column a hidden one.
    for page, columns in ((text, 3), (admin_page.content.decode(), 4)):
        table = page[page.index('data-testid="quota-table"') : page.index("</table>")]
        head, row = table.split("</thead>")[0], table.split('data-testid="quota-row"')[1]
        assert head.count("<th ") == row.split("</tr>")[0].count("<td") == columns
    assert '<span class="visually-hidden">Actions</span></th>' in admin_page.content.decode()


def test_the_round_form_saves_with_the_house_button(honour_running, city_admin):
    page = as_user(city_admin).get(reverse("evaluations:honour_round_create"))
    assert 'class="btn btn-party" type="submit" data-testid="save-round"' in page.content.decode()


# --- Applications ------------------------------------------------------------------------------


def application_data(category, **more):
    return {
        "category": category.pk,
        "person_name": "机关工会电工班组",
        "person_post": "",
        "leader": "赵班长",
        "members": "8",
        "case": CASE,
        "summary": "节能减排成效显著。",
        **more,
    }


def test_staff_apply_submit_and_withdraw_through_the_pages(
    honour_round, union_staff, tree, pioneer, reviewer
):
    url = reverse("evaluations:honour_apply", args=[honour_round.pk, tree.union_a2.pk])
    client = as_user(union_staff)
    assert client.get(url).status_code == 200
    response = client.post(url, application_data(pioneer))
    made = Application.objects.get()
    assert response.status_code == 302 and response.url == page(made)
    assert made.status == ApplicationStatus.DRAFT
    assert made.registration == {"leader": "赵班长", "members": "8"}
    client.post(reverse("evaluations:honour_submit", args=[made.pk]))
    assert fresh(made).status == ApplicationStatus.WAITING
    assert fresh(made).waiting_unit == tree.committee_a
    client.post(reverse("evaluations:honour_withdraw", args=[made.pk]))
    assert fresh(made).status == ApplicationStatus.WITHDRAWN
    assert steps(made) == ["submit", "withdraw"]


def test_others_may_not_apply_for_the_unit(
    honour_round, tree, pioneer, reviewer, city_admin, staff
):
    url = reverse("evaluations:honour_apply", args=[honour_round.pk, tree.union_a2.pk])
    for who in (reviewer, city_admin, staff):  # staff of branch_a1, not of union_a2
        assert as_user(who).post(url, application_data(pioneer)).status_code in (403, 404)
    assert not Application.objects.exists()


def test_a_category_of_another_line_is_not_offered(honour_round, tree, staff, pioneer):
    url = reverse("evaluations:honour_apply", args=[honour_round.pk, tree.branch_a1.pk])
    response = as_user(staff).post(url, application_data(pioneer))
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_a_draft_is_edited_only_by_its_units_staff(
    draft_application, union_staff, reviewer, pioneer
):
    url = reverse("evaluations:honour_application_edit", args=[draft_application.pk])
    # A draft is its unit's own: the levels above do not even see it.
    assert as_user(reviewer).post(url, application_data(pioneer)).status_code == 404
    assert fresh(draft_application).person_name == "机关工会维修班组"
    response = as_user(union_staff).post(url, application_data(pioneer, summary="改过的摘要"))
    assert response.status_code == 302
    assert fresh(draft_application).summary == "改过的摘要"


def test_the_reviewer_and_others_may_not_submit_or_withdraw(
    draft_application, reviewer, city_admin
):
    for who in (reviewer, city_admin):
        as_user(who).post(reverse("evaluations:honour_submit", args=[draft_application.pk]))
    assert fresh(draft_application).status == ApplicationStatus.DRAFT
    assert steps(draft_application) == []


# --- Recommendation ----------------------------------------------------------------------------


def test_recommend_and_decline_permission_matrix(
    submitted_application, union_staff, reviewer, city_reviewer, leader, city_admin
):
    recommend = reverse("evaluations:honour_recommend", args=[submitted_application.pk])
    decline = reverse("evaluations:honour_decline", args=[submitted_application.pk])
    for who in (union_staff, city_reviewer, leader, city_admin):
        assert as_user(who).post(recommend, {"level": 1}).status_code == 403
        assert as_user(who).post(decline, {"level": 1, "reason": "不"}).status_code == 403
    assert steps(submitted_application) == ["submit"]
    response = as_user(reviewer).post(recommend, {"level": 1, "rank": 1, "reason": "推荐"})
    assert response.status_code == 302
    found = fresh(submitted_application)
    assert found.level == 2 and found.waiting_unit.code == "CITY"
    assert as_user(reviewer).post(decline, {"level": 2, "reason": "不"}).status_code == 403
    as_user(city_reviewer).post(recommend, {"level": 2})
    assert fresh(found).status == ApplicationStatus.SHORTLISTED
    assert steps(found) == ["submit", "recommend", "shortlist"]


def test_over_quota_the_page_says_so_and_nothing_moves(
    honour_round, city_admin, union_staff, reviewer, city_reviewer, tree, pioneer
):
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.committee_a, count=1)
    first = apply(union_staff, honour_round, tree.union_a2, pioneer, "一班")
    second = apply(union_staff, honour_round, tree.union_a2, pioneer, "二班")
    for application in (first, second):
        services.application_submit(union_staff, application)
    services.application_recommend(reviewer, fresh(first), level=1)
    client = as_user(reviewer)
    shown = client.get(page(second)).content.decode()
    assert "1 of 1 used" in shown
    response = client.post(
        reverse("evaluations:honour_recommend", args=[second.pk]), {"level": 1}, follow=True
    )
    assert response.status_code == 200
    assert "1 of 1" in response.content.decode()
    assert fresh(second).level == 1 and steps(second) == ["submit"]


def test_decline_without_a_reason_changes_nothing(submitted_application, reviewer):
    url = reverse("evaluations:honour_decline", args=[submitted_application.pk])
    response = as_user(reviewer).post(url, {"level": 1, "reason": ""})
    assert response.status_code == 302
    assert fresh(submitted_application).status == ApplicationStatus.WAITING


# --- Queues --------------------------------------------------------------------------------------


def test_the_queue_shows_what_reached_the_level_with_its_quota(
    submitted_application, reviewer, city_reviewer, city_admin, honour_round, pioneer, tree
):
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.committee_a, count=2)
    body = as_user(reviewer).get(reverse("evaluations:honour_queue")).content.decode()
    assert "机关工会维修班组" in body and "0 of 2 used, 2 left" in body
    city = as_user(city_reviewer).get(reverse("evaluations:honour_queue")).content.decode()
    assert "机关工会维修班组" not in city  # not reached the city yet


def test_staff_have_no_recommendation_queue(union_staff):
    assert as_user(union_staff).get(reverse("evaluations:honour_queue")).status_code == 403


def test_the_queue_costs_the_same_queries_for_more_rows(
    submitted_application,
    reviewer,
    union_staff,
    honour_round,
    tree,
    categories,
    city_admin,
    django_assert_max_num_queries,
):
    services.quota_set(city_admin, honour_round, category=categories["workers_pioneer"], count=3)
    client = as_user(reviewer)
    url = reverse("evaluations:honour_queue")
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url).status_code == 200
    union = UnitFactory(parent=tree.committee_a, code="A3", kind=UnitKind.TRADE_UNION)
    more_staff = _member(union, Role.STAFF, "staff_a3")
    for unit, who in ((tree.union_a2, union_staff), (union, more_staff)):
        for name in ("甲班", "乙班"):
            for code in ("workers_pioneer", "innovation_expert"):
                category = categories[code]
                made = services.application_create(
                    who,
                    honour_round=honour_round,
                    unit=unit,
                    category=category,
                    person_name=name,
                    person_post="班长",
                    registration={
                        "leader": "张",
                        "members": "3",
                        "gender": "male",
                        "birth_year": "1980",
                        "political_status": "masses",
                    },
                    case=CASE,
                    summary="摘要",
                )
                services.application_submit(who, made)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="queue-row"') == 9


def test_my_applications_lists_my_units_only(draft_application, union_staff, staff):
    mine = as_user(union_staff).get(reverse("evaluations:honour_mine")).content.decode()
    assert "机关工会维修班组" in mine
    other = as_user(staff).get(reverse("evaluations:honour_mine")).content.decode()
    assert "机关工会维修班组" not in other


def test_the_rounds_page_lists_the_round(honour_round, union_staff, city_admin):
    body = as_user(union_staff).get(reverse("evaluations:honours")).content.decode()
    assert "2026 年度评选表彰" in body and 'data-testid="create-round"' not in body
    admin = as_user(city_admin).get(reverse("evaluations:honours")).content.decode()
    assert 'data-testid="create-round"' in admin


# --- Evidence ------------------------------------------------------------------------------------


def test_staff_attach_evidence_checked_by_content_and_readers_download_it(
    draft_application, union_staff, reviewer, outsider
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evaluations.models import ReportFile
    from tests.factories import pdf_bytes

    url = reverse("evaluations:honour_upload", args=[draft_application.pk])
    good = SimpleUploadedFile("事迹.pdf", pdf_bytes(), content_type="application/pdf")
    bad = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00not an image", content_type="image/jpeg")
    assert as_user(reviewer).post(url, {"files": [good]}).status_code == 404  # a draft: unseen
    assert not ReportFile.objects.exists()
    good.seek(0)
    response = as_user(union_staff).post(url, {"files": [good, bad]}, follow=True)
    assert response.status_code == 200
    item = ReportFile.objects.get()
    assert item.application == draft_application and item.content_type == "application/pdf"
    assert "photo.jpg" in response.content.decode()  # refused by name
    download = reverse("evaluations:report_file", args=[item.pk])
    assert as_user(reviewer).get(download).status_code == 404  # the draft's files are its own
    services.application_submit(union_staff, fresh(draft_application))
    served = as_user(reviewer).get(download)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    assert as_user(outsider).get(download).status_code == 404


def test_the_honours_pages_are_reached_from_the_campaigns_page(honour_round, union_staff):
    client = as_user(union_staff)
    campaigns = client.get(reverse("campaigns:list")).content.decode()
    assert f'href="{reverse("evaluations:honours")}"' in campaigns
    body = client.get(reverse("evaluations:honours")).content.decode()
    current = f'class="nav-link active" aria-current="page" href="{reverse("campaigns:list")}"'
    assert current in body  # the menu's Campaigns entry is the current one
    assert 'href=""' not in body  # every menu entry leads somewhere


def test_the_round_is_edited_by_the_organisers_admin_only(honour_round, city_admin, admin_user):
    url = reverse("evaluations:honour_round_edit", args=[honour_round.pk])
    data = round_data(title="改名后的评选")
    assert as_user(admin_user).post(url, data).status_code == 403
    assert new_client().post(url, data).status_code == 302  # to the login page
    assert HonourRound.objects.get().title == "2026 年度评选表彰"
    assert as_user(city_admin).post(url, data).status_code == 302
    assert HonourRound.objects.get().title == "改名后的评选"


def test_a_draft_stays_with_its_unit(draft_application, reviewer, union_staff):
    round_page = reverse("evaluations:honour_round", args=[draft_application.round_id])
    assert "机关工会维修班组" not in as_user(reviewer).get(round_page).content.decode()
    assert (
        as_user(reviewer)
        .get(reverse("evaluations:honour_queue"))
        .content.decode()
        .count('data-testid="queue-row"')
        == 0
    )
    assert "机关工会维修班组" in as_user(union_staff).get(page(draft_application)).content.decode()


def test_my_applications_cost_the_same_queries_for_more_rows(
    draft_application, union_staff, honour_round, tree, pioneer, django_assert_max_num_queries
):
    client = as_user(union_staff)
    url = reverse("evaluations:honour_mine")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for name in ("甲班", "乙班", "丙班"):
        apply(union_staff, honour_round, tree.union_a2, pioneer, name)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="application-row"') == 4

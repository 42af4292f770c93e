"""Downloads: the filtered activity list as .csv and .xlsx, and a unit's progress table.

The exports share the list page's search, so they hold exactly the rows it lists, for whoever
asks, and stream. The progress table reads the dashboard's progress selectors: its total row is
the subtree's own figure, which counts a co-organised activity once."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from activities import services
from activities.models import Activity, CoOrganiser, Status
from activities.progress import period_of, subtree_task_figures
from campaigns.models import Metric
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UserFactory,
)
from tests.figures import task_figures
from units.models import Line, Role

pytestmark = pytest.mark.django_db

CSV_URL = reverse("dashboards:activities_csv")
XLSX_URL = reverse("dashboards:activities_xlsx")
ENGLISH_HEADER = [
    "Unit code",
    "Unit name",
    "Title",
    "Date",
    "Until",
    "Place",
    "Target tasks",
    "Status",
    "Party members",
    "Workers",
    "Youth",
    "Women",
    "General public",
    "Total participants",
    "Quantity",
    "Submitted at",
    "Approved at",
]


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[list[str]]:
    data = _content(response)
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(_content(response))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def log(staff, task):
    """Submitted unless `status` is given: a draft is its unit's alone."""

    def make(unit, title, *, tasks=None, **fields) -> Activity:
        fields.setdefault("campaign", task.campaign)
        fields.setdefault("status", Status.SUBMITTED)
        return ActivityFactory(
            unit=unit, created_by=staff, title=title, tasks=tasks or [task], **fields
        )

    return make


@pytest.fixture
def spread(tree, log):
    return {
        "a1": log(
            tree.branch_a1,
            "机关支部活动",
            starts_on=datetime.date(2010, 6, 1),
            ends_on=datetime.date(2010, 6, 3),
            quantity=Decimal("2.50"),
        ),
        "a2": log(tree.union_a2, "工会活动", starts_on=datetime.date(2010, 7, 1)),
        "b1": log(tree.branch_b1, "城关镇活动", starts_on=datetime.date(2010, 8, 1)),
    }


class TestActivityExports:
    def test_the_csv_holds_exactly_the_filtered_visible_rows(self, client, leader, tree, spread):
        client.force_login(leader)

        response = client.get(CSV_URL, {"starts_to": "2010-12-31"})

        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="activities-')
        header, *rows = _csv_rows(response)
        assert header == ENGLISH_HEADER
        assert [row[2] for row in rows] == ["工会活动", "机关支部活动"]
        a1 = rows[1]
        assert a1[:5] == ["A1", "机关第一党支部", "机关支部活动", "2010-06-01", "2010-06-03"]
        assert a1[5:8] == ["党员活动室", "主题党日", "Submitted"]
        assert a1[8:15] == ["10", "0", "0", "0", "0", "10", "2.50"]

    def test_the_xlsx_holds_exactly_the_filtered_visible_rows(self, client, leader, tree, spread):
        client.force_login(leader)

        response = client.get(XLSX_URL, {"unit": tree.branch_a1.pk})

        assert response.status_code == 200
        assert isinstance(response, FileResponse)
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        header, *rows = _xlsx_rows(response)
        assert header == ENGLISH_HEADER
        assert len(rows) == 1
        row = rows[0]
        assert row[:3] == ["A1", "机关第一党支部", "机关支部活动"]
        assert row[3] == datetime.datetime(2010, 6, 1)  # a real date cell
        assert row[6:8] == ["主题党日", "Submitted"]
        assert row[13:15] == [10, 2.5]

    def test_the_headers_follow_the_language(self, leader, spread):
        client = Client(headers={"accept-language": "zh-hans"})
        client.force_login(leader)

        header = _csv_rows(client.get(CSV_URL))[0]
        sheet_header = _xlsx_rows(client.get(XLSX_URL))[0]

        assert header[0] == "组织代码"
        assert "状态" in header and "Status" not in header
        assert sheet_header == header

    def test_submission_and_approval_times_are_local(self, client, staff, reviewer, leader, draft):
        services.activity_submit(actor=staff, activity=draft)
        services.activity_approve(actor=reviewer, activity=draft, level=1)
        draft.refresh_from_db()
        client.force_login(leader)

        row = _csv_rows(client.get(CSV_URL))[1]

        local = datetime.datetime.fromisoformat(row[16])
        assert row[7] == "Approved"
        assert local.replace(tzinfo=None) == draft.approved_at.astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        ).replace(tzinfo=None, second=0, microsecond=0)

    def test_an_outsider_gets_a_404_for_another_subtree_and_only_their_own_rows(
        self, client, outsider, tree, spread
    ):
        client.force_login(outsider)

        assert client.get(CSV_URL, {"unit": tree.committee_a.pk}).status_code == 404
        assert client.get(XLSX_URL, {"unit": tree.branch_a1.pk}).status_code == 404
        assert [row[2] for row in _csv_rows(client.get(CSV_URL))[1:]] == ["城关镇活动"]
        assert [row[2] for row in _xlsx_rows(client.get(XLSX_URL))[1:]] == ["城关镇活动"]

    def test_a_coorganised_activity_is_exported_to_the_coorganiser(
        self, client, staff, tree, spread
    ):
        CoOrganiser.objects.create(activity=spread["b1"], unit=tree.branch_a1)
        client.force_login(staff)

        titles = [row[2] for row in _csv_rows(client.get(CSV_URL, {"unit": tree.branch_a1.pk}))]

        assert titles[1:] == ["城关镇活动", "机关支部活动"]

    def test_an_invalid_filter_is_a_400_not_a_wrong_file(self, client, leader, spread):
        client.force_login(leader)

        assert client.get(CSV_URL, {"starts_from": "yesterday"}).status_code == 400
        assert client.get(XLSX_URL, {"status": "lost"}).status_code == 400

    def test_typed_text_never_becomes_a_formula(self, client, leader, tree, log):
        log(tree.branch_a1, '=HYPERLINK("http://evil.example","点我")', place="+1")
        client.force_login(leader)

        csv_row = _csv_rows(client.get(CSV_URL))[1]
        data = _content(client.get(XLSX_URL))
        cell = load_workbook(io.BytesIO(data)).active["C2"]

        assert csv_row[2].startswith("'=HYPERLINK")
        assert csv_row[5] == "'+1"
        assert cell.data_type == "s"
        assert cell.value.startswith("=HYPERLINK")

    def test_five_thousand_rows_export_in_chunks_with_their_tasks(
        self, client, city_admin, staff, tree, task, django_assert_max_num_queries
    ):
        second = TargetTaskFactory(campaign=task.campaign, title="志愿服务", sort_order=9)
        activities = Activity.objects.bulk_create(
            Activity(
                campaign=task.campaign,
                unit=(tree.branch_a1, tree.branch_b1)[n % 2],
                created_by=staff,
                title=f"批量活动{n:04d}",
                starts_on=datetime.date(2010, 5, 1) + datetime.timedelta(days=n % 200),
                participants_party_members=n % 7,
                participants=n % 7,
                status=Status.SUBMITTED,
            )
            for n in range(5000)
        )
        through = Activity.tasks.through
        through.objects.bulk_create(
            [through(activity_id=a.pk, targettask_id=task.pk) for a in activities]
            + [through(activity_id=a.pk, targettask_id=second.pk) for a in activities[::2]]
        )
        client.force_login(city_admin)

        # Three chunks of at most 2,000 rows: a query for each and one for its task titles.
        with django_assert_max_num_queries(20):
            rows = _csv_rows(client.get(CSV_URL))[1:]
        sheet_rows = _xlsx_rows(client.get(XLSX_URL))[1:]

        assert len(rows) == len(sheet_rows) == 5000
        assert {row[2] for row in rows} == {a.title for a in activities}
        tasks_of = {row[2]: row[6] for row in rows}
        assert tasks_of["批量活动0000"] == "主题党日；志愿服务"
        assert tasks_of["批量活动0001"] == "主题党日"
        assert sum(int(row[13]) for row in rows) == sum(n % 7 for n in range(5000))
        assert [row[2] for row in sheet_rows] == [row[2] for row in rows]


# --- The progress table ----------------------------------------------------------------------


@pytest.fixture
def union_staff(tree):
    user = UserFactory(username="staff_a2")
    MembershipFactory(user=user, unit=tree.union_a2, role=Role.STAFF)
    return user


@pytest.fixture
def catalogue(tree, task, targets):
    """Two party tasks and one union task, each with a target for every unit under committee A."""
    second = TargetTaskFactory(
        campaign=task.campaign, code="DJ-02", title="党员志愿服务", line=Line.PARTY, sort_order=2
    )
    union = TargetTaskFactory(
        campaign=task.campaign,
        code="GJ-01",
        title="职工参与",
        line=Line.UNION,
        metric=Metric.PARTICIPANTS,
    )
    for unit in (tree.committee_a, tree.branch_a1, tree.union_a2):
        TargetFactory(unit=unit, task=second, value=Decimal(2))
        TargetFactory(unit=unit, task=union, value=Decimal(100))
    return [task, second, union]


def _approve(actor, reviewer, activity):
    services.activity_submit(actor=actor, activity=activity)
    return services.activity_approve(actor=reviewer, activity=activity, level=1)


@pytest.fixture
def joint(tree, staff, union_staff, reviewer, catalogue):
    """An approved activity of branch A1 co-organised (confirmed) by union A2, tagged with the
    first party task and the union task; and one more approved activity of A1 alone."""
    task, _second, union = catalogue
    activity = services.activity_create(
        actor=staff,
        unit=tree.branch_a1,
        campaign=task.campaign,
        data={
            "title": "职工党员联合活动",
            "starts_on": datetime.date(2010, 6, 1),
            "participants_party_members": 20,
            "participants_workers": 30,
        },
        tasks=[task, union],
        coorganisers=[tree.union_a2],
    )
    services.coorganiser_respond(
        actor=union_staff, coorganiser=CoOrganiser.objects.get(activity=activity), confirm=True
    )
    _approve(staff, reviewer, activity)
    alone = services.activity_create(
        actor=staff,
        unit=tree.branch_a1,
        campaign=task.campaign,
        data={"title": "支部活动", "starts_on": datetime.date(2010, 7, 1)},
        tasks=[task],
    )
    _approve(staff, reviewer, alone)
    return activity


def _progress(client, user, unit, **params):
    client.force_login(user)
    return client.get(reverse("dashboards:progress_export", args=[unit.pk]), params)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(_content(response))).active


class TestProgressExport:
    def test_it_lays_out_lines_tasks_and_measures_in_merged_headers(
        self, client, leader, tree, catalogue, joint
    ):
        sheet = _sheet(_progress(client, leader, tree.committee_a))

        merged = {str(cells) for cells in sheet.merged_cells.ranges}
        # Codes and names span the three header rows; 党建 spans two tasks × 3, 工建 one task.
        assert {"A3:A5", "B3:B5", "C3:H3", "I3:K3", "C4:E4", "F4:H4", "I4:K4"} <= merged
        assert sheet["C3"].value == "Party building"
        assert sheet["I3"].value == "Trade-union building"
        assert sheet["C4"].value.startswith("主题党日")
        assert [sheet.cell(5, c).value for c in range(3, 6)] == ["Target", "Achieved", "Completion"]
        assert sheet.freeze_panes == "C6"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$3:$5"
        assert "市直机关党工委" in sheet["A1"].value
        assert sheet["E6"].number_format == "0.0%"

    def test_the_subtitle_names_the_whole_campaign_as_such(
        self, client, leader, tree, catalogue, joint
    ):
        leader.language = "zh-hans"
        leader.save(update_fields=["language"])
        client.force_login(leader)

        response = client.get(
            reverse("dashboards:progress_export", args=[tree.committee_a.pk]),
            headers={"accept-language": "zh-hans"},
        )

        assert _sheet(response)["A2"].value.startswith("统计期间：整个活动周期 · ")

    def test_the_total_row_is_the_subtrees_figure_not_the_sum_of_the_rows(
        self, client, leader, tree, catalogue, joint
    ):
        task, second, union = catalogue

        sheet = _sheet(_progress(client, leader, tree.committee_a))

        rows = {sheet.cell(r, 2).value: r for r in range(6, sheet.max_row + 1)}
        a1, a2, total = rows["机关第一党支部"], rows["机关工会"], rows["Total (whole subtree)"]
        assert total == a2 + 1 and a1 < a2

        def cells(row: int, first: int) -> list:
            return [sheet.cell(row, c).value for c in range(first, first + 3)]

        # 主题党日: A1 has both activities, A2 the joint one; the committee counts it once.
        assert cells(a1, 3) == [4, 2, 0.5]
        assert cells(a2, 3) == [4, 1, 0.25]
        assert cells(total, 3)[:2] == [12, 2]  # not 3
        assert cells(total, 3)[2] == pytest.approx(2 / 12)
        # 职工参与 counts participants: 50 for each organiser, 50 (not 100) for the committee.
        assert cells(a1, 9)[:2] == [100, 50]
        assert cells(a2, 9)[:2] == [100, 50]
        assert cells(total, 9) == [300, 50, pytest.approx(50 / 300)]

        period = period_of(task.campaign)
        ids = [task.pk, second.pk, union.pk]
        rollup = subtree_task_figures([tree.committee_a.pk], period, ids)
        direct = task_figures(tree.committee_a, ids)
        assert cells(total, 3)[1] == rollup[(tree.committee_a.pk, task.pk)].activities
        assert cells(total, 3)[1] == direct[task.pk].activities
        assert cells(total, 9)[1] == direct[union.pk].participants
        note = sheet.cell(total + 1, 1).value
        assert "counts once" in note

    def test_lines_come_in_their_own_order_party_first(self, client, leader, tree, task, targets):
        league = TargetTaskFactory(campaign=task.campaign, title="青年活动", line=Line.LEAGUE)
        TargetFactory(unit=tree.branch_a1, task=league)

        sheet = _sheet(_progress(client, leader, tree.committee_a))

        assert [sheet["C3"].value, sheet["F3"].value] == ["Party building", "Youth-league building"]

    def test_the_total_row_agrees_with_the_dashboard(
        self, client, leader, tree, task, catalogue, joint
    ):
        from activities.dashboard import dashboard, filters_for
        from campaigns.selectors import campaigns_covering

        sheet = _sheet(_progress(client, leader, tree.committee_a))
        shown = dashboard(tree.committee_a, filters_for(campaigns_covering(tree.committee_a), {}))

        total = next(r for r in range(6, sheet.max_row + 1) if sheet.cell(r, 1).value is None)
        exported = {
            sheet.cell(4, column).value.split("\n")[0]: sheet.cell(total, column + 1).value
            for column in range(3, sheet.max_column + 1, 3)
        }
        assert exported == {row.task.title: row.item.achieved for row in shown.tasks}

    def test_the_line_and_period_filters_narrow_the_table(
        self, client, leader, tree, task, catalogue, joint
    ):
        sheet = _sheet(
            _progress(
                client,
                leader,
                tree.committee_a,
                campaign=task.campaign.pk,
                line=Line.PARTY,
                period="2010-07",
            )
        )

        assert sheet["C3"].value == "Party building"
        assert sheet.max_column == 8  # two party tasks only
        assert "2010-07" in sheet["A2"].value
        rows = {sheet.cell(r, 2).value: r for r in range(6, sheet.max_row + 1)}
        # Only the July activity (branch A1 alone) falls in the month.
        assert sheet.cell(rows["机关第一党支部"], 4).value == 1
        assert sheet.cell(rows["机关工会"], 4).value == 0

    def test_an_outsider_gets_a_404_and_a_leader_their_own_subtree(
        self, client, outsider, leader, tree, catalogue
    ):
        assert _progress(client, outsider, tree.committee_a).status_code == 404
        assert _progress(client, outsider, tree.branch_a1).status_code == 404
        assert _progress(client, leader, tree.committee_b).status_code == 404
        assert _sheet(_progress(client, leader, tree.branch_a1)).max_row > 5

    def test_a_leaf_unit_gets_its_total_row_only(self, client, leader, tree, catalogue, joint):
        sheet = _sheet(_progress(client, leader, tree.branch_a1))

        assert sheet.cell(6, 2).value == "Total (whole subtree)"
        assert sheet.cell(6, 4).value == 2

    def test_a_unit_no_campaign_covers_is_a_404(self, client, outsider, tree):
        # No campaign fixture: nothing covers committee B.
        assert _progress(client, outsider, tree.committee_b).status_code == 404


def test_status_labels_cover_every_status():
    from dashboards.exports import status_labels

    assert set(status_labels()) == set(Status.values)

"""Evidence files through the pages: real uploads checked by content, size and count, thumbnails,
and downloads only through the scoped view."""

import io
import time
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from activities import evidence, services
from activities.exceptions import EvidenceRejected
from activities.models import Evidence, Status
from tests.factories import pdf_bytes
from tests.pages import messages_of

PDF = pdf_bytes()
JAVASCRIPT = {
    "/OpenAction": DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
}
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _image(name: str, fmt: str = "PNG", size=(800, 600)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (183, 28, 28)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def _docx(name: str = "总结.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def _pdf(name: str = "签到表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _upload(client, activity, *files):
    # The upload's commit enqueues the task that makes thumbnails (Celery runs eagerly here).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("activities:evidence_upload", args=[activity.pk]),
            {"files": list(files)},
            follow=True,
        )


def _attach(staff, activity, upload) -> Evidence:
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = services.evidence_add(actor=staff, activity=activity, upload=upload)
    item.refresh_from_db()
    return item


def _approve(staff, reviewer, draft):
    submitted = services.activity_submit(actor=staff, activity=draft)
    return services.activity_approve(actor=reviewer, activity=submitted, level=1)


class TestUpload:
    def test_it_stores_photos_pdf_and_office_files_with_thumbnails(
        self, client, staff, draft, media_root
    ):
        client.force_login(staff)

        response = _upload(
            client, draft, _image("现场.png"), _image("合影.jpg", "JPEG"), _pdf(), _docx()
        )

        assert response.redirect_chain[-1][0] == reverse("activities:detail", args=[draft.pk])
        items = {e.original_name: e for e in draft.evidence.all()}
        assert {name: e.content_type for name, e in items.items()} == {
            "现场.png": "image/png",
            "合影.jpg": "image/jpeg",
            "签到表.pdf": "application/pdf",
            "总结.docx": (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
        }
        for item in items.values():
            assert (media_root / item.file.name).is_file()
            assert item.uploaded_by == staff
        assert items["现场.png"].thumbnail and items["合影.jpg"].thumbnail
        assert not items["签到表.pdf"].thumbnail
        assert len([m for m in messages_of(response) if "has been attached" in m]) == 4
        # The task made the thumbnails once the upload had committed: the page shows them now.
        html = client.get(reverse("activities:detail", args=[draft.pk])).content.decode()
        assert reverse("activities:evidence_thumbnail", args=[items["现场.png"].pk]) in html
        assert reverse("activities:evidence", args=[items["签到表.pdf"].pk]) in html

    def test_it_refuses_a_renamed_executable_and_keeps_the_good_file(self, client, staff, draft):
        before = (draft.title, draft.status, draft.updated_at)
        client.force_login(staff)

        response = _upload(
            client,
            draft,
            SimpleUploadedFile("photo.jpg", EXECUTABLE, content_type="image/jpeg"),
            _image("现场.png"),
        )

        refusals = [m for m in messages_of(response) if "photo.jpg" in m]
        assert refusals and "not an accepted file" in refusals[0]
        assert list(draft.evidence.values_list("original_name", flat=True)) == ["现场.png"]
        draft.refresh_from_db()
        assert (draft.title, draft.status, draft.updated_at) == before

    def test_it_refuses_an_oversized_file(self, client, settings, staff, draft, media_root):
        settings.EVIDENCE_MAX_BYTES = 1024
        client.force_login(staff)

        response = _upload(client, draft, _image("大图.png", size=(1200, 900)))

        assert any("大图.png" in m and "larger than" in m for m in messages_of(response))
        assert not draft.evidence.exists()
        assert not any(p.is_file() for p in media_root.rglob("*"))
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_it_refuses_more_files_than_allowed(self, client, settings, staff, draft):
        settings.EVIDENCE_MAX_FILES = 2
        client.force_login(staff)

        response = _upload(client, draft, _image("1.png"), _image("2.png"), _image("3.png"))

        assert draft.evidence.count() == 2
        refusals = [m for m in messages_of(response) if "3.png" in m]
        assert refusals and "at most 2 files" in refusals[0]

    def test_it_asks_for_a_file_when_none_is_sent(self, client, staff, draft):
        client.force_login(staff)

        response = _upload(client, draft)

        assert any("Choose one or more files" in m for m in messages_of(response))
        assert not draft.evidence.exists()

    def test_it_refuses_evidence_on_an_approved_activity(self, client, staff, reviewer, draft):
        _approve(staff, reviewer, draft)
        client.force_login(staff)

        response = _upload(client, draft, _image("迟到.png"))

        assert any("approved and locked" in m for m in messages_of(response))
        assert not draft.evidence.exists()

    def test_a_reviewer_may_not_add_evidence(self, client, reviewer, draft):
        draft.__class__.objects.filter(pk=draft.pk).update(status=Status.RETURNED)  # seen above
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:evidence_upload", args=[draft.pk]), {"files": [_image("x.png")]}
        )

        assert response.status_code == 403
        assert not draft.evidence.exists()

    def test_an_outsider_gets_a_404(self, client, outsider, draft):
        client.force_login(outsider)

        response = client.post(
            reverse("activities:evidence_upload", args=[draft.pk]), {"files": [_image("x.png")]}
        )

        assert response.status_code == 404
        assert not draft.evidence.exists()


class TestDownload:
    def test_the_thumbnail_is_a_small_jpeg(self, client, staff, draft):
        item = _attach(staff, draft, _image("大合影.jpg", "JPEG", size=(2000, 1500)))
        client.force_login(staff)

        response = client.get(reverse("activities:evidence_thumbnail", args=[item.pk]))

        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
            assert thumb.format == "JPEG"
            assert max(thumb.size) <= 480

    def test_a_file_without_a_thumbnail_has_none(self, client, staff, draft):
        item = _attach(staff, draft, _pdf())
        client.force_login(staff)

        response = client.get(reverse("activities:evidence_thumbnail", args=[item.pk]))

        assert response.status_code == 404

    @pytest.mark.parametrize("who", ["staff", "reviewer", "leader", "city_admin"])
    def test_people_in_scope_download_it(self, request, client, staff, draft, who):
        item = _attach(staff, draft, _pdf())
        services.activity_submit(actor=staff, activity=draft)  # a draft is its unit's alone
        client.force_login(request.getfixturevalue(who))

        response = client.get(reverse("activities:evidence", args=[item.pk]))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "filename*=utf-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_an_image_opens_inline(self, client, staff, draft):
        item = _attach(staff, draft, _image("现场.png"))
        client.force_login(staff)

        response = client.get(reverse("activities:evidence", args=[item.pk]))
        response.close()

        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline")

    def test_an_outsider_gets_a_404(self, client, staff, outsider, draft):
        item = _attach(staff, draft, _image("现场.png"))
        client.force_login(outsider)

        assert client.get(reverse("activities:evidence", args=[item.pk])).status_code == 404
        thumbnail = reverse("activities:evidence_thumbnail", args=[item.pk])
        assert client.get(thumbnail).status_code == 404

    def test_an_anonymous_visitor_is_sent_to_log_in(self, client, staff, draft):
        item = _attach(staff, draft, _pdf())

        response = client.get(reverse("activities:evidence", args=[item.pk]))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_no_media_url_serves_the_file(self, client, settings, staff, draft):
        item = _attach(staff, draft, _pdf())
        client.force_login(staff)

        response = client.get(settings.MEDIA_URL + item.file.name)

        assert response.status_code == 404

    def test_a_file_missing_from_storage_is_a_404(self, client, staff, draft, media_root):
        item = _attach(staff, draft, _pdf())
        (media_root / item.file.name).unlink()
        client.force_login(staff)

        assert client.get(reverse("activities:evidence", args=[item.pk])).status_code == 404


class TestDelete:
    def test_staff_remove_a_file_from_a_draft(
        self, client, staff, draft, media_root, django_capture_on_commit_callbacks
    ):
        item = _attach(staff, draft, _image("错图.png"))
        paths = [
            media_root / item.file.name,
            media_root / item.thumbnail.name,
            media_root / item.thumbnail_small.name,
        ]
        client.force_login(staff)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("activities:evidence_delete", args=[item.pk]), follow=True
            )

        assert not draft.evidence.exists()
        assert not any(path.exists() for path in paths)
        assert any("has been removed" in m for m in messages_of(response))

    def test_evidence_of_an_approved_activity_cannot_be_removed(
        self, client, staff, reviewer, draft, media_root
    ):
        item = _attach(staff, draft, _image("证据.png"))
        _approve(staff, reviewer, draft)
        client.force_login(staff)

        response = client.post(reverse("activities:evidence_delete", args=[item.pk]), follow=True)

        assert any("approved and locked" in m for m in messages_of(response))
        assert draft.evidence.filter(pk=item.pk).exists()
        assert (media_root / item.file.name).is_file()

    def test_a_reviewer_may_not_remove_it(self, client, staff, reviewer, draft):
        item = _attach(staff, draft, _pdf())
        draft.__class__.objects.filter(pk=draft.pk).update(status=Status.RETURNED)  # seen above
        client.force_login(reviewer)

        response = client.post(reverse("activities:evidence_delete", args=[item.pk]))

        assert response.status_code == 403
        assert draft.evidence.filter(pk=item.pk).exists()

    def test_an_outsider_gets_a_404(self, client, staff, outsider, draft):
        item = _attach(staff, draft, _pdf())
        client.force_login(outsider)

        assert client.post(reverse("activities:evidence_delete", args=[item.pk])).status_code == 404
        assert draft.evidence.filter(pk=item.pk).exists()

    def test_delete_is_post_only(self, client, staff, draft):
        item = _attach(staff, draft, _pdf())
        client.force_login(staff)

        assert client.get(reverse("activities:evidence_delete", args=[item.pk])).status_code == 405
        assert draft.evidence.filter(pk=item.pk).exists()


class TestContentOverName:
    def test_a_pdf_named_like_a_script_is_served_as_a_pdf(self, client, staff, draft):
        item = _attach(staff, draft, SimpleUploadedFile("run.bat", PDF))
        client.force_login(staff)

        response = client.get(reverse("activities:evidence", args=[item.pk]))
        b"".join(response.streaming_content)

        assert item.content_type == "application/pdf"
        assert 'filename="run.pdf"' in response["Content-Disposition"]

    def test_it_refuses_a_macro_enabled_office_file(self, staff, draft, media_root):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
            archive.writestr("word/vbaProject.bin", b"\x00macro")
        with pytest.raises(EvidenceRejected):
            _attach(staff, draft, SimpleUploadedFile("总结.docm", buffer.getvalue()))
        assert not draft.evidence.exists()

    @pytest.mark.parametrize(
        "part",
        [
            "word/activeX/activeX1.bin",
            "word/activeX/activeX1.xml",
            "xl/embeddings/oleObject1.bin",
            "ppt/embeddings/oleObject2.BIN",
        ],
    )
    def test_it_refuses_office_files_with_activex_controls_or_ole_objects(
        self, client, staff, draft, media_root, part
    ):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
            archive.writestr(part, b"\xd0\xcf\x11\xe0 ole")
        client.force_login(staff)

        response = _upload(client, draft, SimpleUploadedFile("总结.docx", buffer.getvalue()))

        assert any("总结.docx" in m and "not an accepted file" in m for m in messages_of(response))
        assert not draft.evidence.exists()
        assert not any(path.is_file() for path in Path(media_root).rglob("*"))

    def test_an_office_file_with_a_chart_workbook_embedded_is_accepted(self, staff, draft):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("ppt/presentation.xml", "<p:presentation/>")
            archive.writestr("ppt/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK\x03\x04")

        item = _attach(staff, draft, SimpleUploadedFile("汇报.pptx", buffer.getvalue()))

        assert item.content_type.endswith("presentationml.presentation")

    @pytest.mark.parametrize("name", ["总结.doc", "台账.xls", "汇报.ppt"])
    def test_it_refuses_legacy_office_files_and_says_how_to_save_them(
        self, client, staff, draft, media_root, name
    ):
        ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        client.force_login(staff)

        response = _upload(client, draft, SimpleUploadedFile(name, ole2))

        assert response.status_code == 200
        refusals = [m for m in messages_of(response) if name in m]
        assert refusals and "save it as .docx, .xlsx or .pptx" in refusals[0]
        assert not draft.evidence.exists()
        assert not any(path.is_file() for path in Path(media_root).rglob("*"))

    @pytest.mark.parametrize(
        "data",
        [
            b"%PDF-1.4\r\ncalc.exe",
            b"%PDF-1.7\n" + EXECUTABLE,
            PDF[: len(PDF) // 3],
        ],
        ids=["script", "executable", "truncated"],
    )
    def test_it_refuses_what_only_starts_like_a_pdf(self, client, staff, draft, data):
        client.force_login(staff)

        response = _upload(client, draft, SimpleUploadedFile("签到表.pdf", data))

        assert any("签到表.pdf" in m and "not an accepted file" in m for m in messages_of(response))
        assert not draft.evidence.exists()

    @pytest.mark.parametrize(
        "data",
        [
            pdf_bytes(JAVASCRIPT),
            # Escaped names: a search for the bytes "/JavaScript" or "/JS" finds nothing here.
            pdf_bytes(JAVASCRIPT)
            .replace(b"/JavaScript", b"/J#61vaScript")
            .replace(b"/JS ", b"/J#53 "),
            pdf_bytes(
                {
                    "/OpenAction": DictionaryObject(
                        {
                            NameObject("/S"): NameObject("/Launch"),
                            NameObject("/F"): TextStringObject("cmd.exe"),
                        }
                    )
                }
            ),
            pdf_bytes(attachment=True),
            pdf_bytes(
                {
                    "/OpenAction": DictionaryObject(
                        {
                            NameObject("/S"): NameObject("/SubmitForm"),
                            NameObject("/F"): TextStringObject("https://example.com/collect"),
                        }
                    )
                }
            ),
            pdf_bytes(
                {
                    "/AA": DictionaryObject(
                        {
                            NameObject("/O"): DictionaryObject(
                                {
                                    NameObject("/S"): NameObject("/GoToR"),
                                    NameObject("/F"): TextStringObject("\\\\host\\share\\a.pdf"),
                                }
                            )
                        }
                    )
                }
            ),
        ],
        ids=["javascript", "escaped-javascript", "launch", "attachment", "submit-form", "goto-r"],
    )
    def test_it_refuses_a_pdf_with_scripts_or_attached_files(self, client, staff, draft, data):
        client.force_login(staff)

        response = _upload(client, draft, SimpleUploadedFile("通知.pdf", data))

        refusals = [m for m in messages_of(response) if "通知.pdf" in m]
        assert refusals and "scripts or attached files" in refusals[0]
        assert not draft.evidence.exists()

    def test_a_plain_pdf_is_accepted(self, staff, draft):
        item = _attach(staff, draft, SimpleUploadedFile("签到表.pdf", PDF))

        assert item.content_type == "application/pdf"

    def test_a_truncated_photo_is_refused_and_leaves_no_file(
        self, client, staff, draft, media_root
    ):
        whole = _image("合影.jpg", "JPEG").read()
        client.force_login(staff)

        response = _upload(client, draft, SimpleUploadedFile("合影.jpg", whole[: len(whole) // 2]))

        assert response.status_code == 200
        assert any("合影.jpg" in m and "not an accepted file" in m for m in messages_of(response))
        assert not draft.evidence.exists()
        assert not any(path.is_file() for path in Path(media_root).rglob("*"))


def _pdf_of_objects(count: int) -> bytes:
    """A one-page PDF with `count` more small objects, all reachable from the catalogue."""
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    filler = ArrayObject(writer._add_object(NumberObject(i)) for i in range(count))
    writer.root_object[NameObject("/Filler")] = filler
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class TestPdfCost:
    """A crafted PDF of very many tiny objects is refused before its objects are walked."""

    def test_a_pdf_of_more_objects_than_the_cap_is_refused_before_the_walk(
        self, client, staff, draft
    ):
        data = _pdf_of_objects(evidence.PDF_MAX_OBJECTS + 1)
        client.force_login(staff)

        with mock.patch.object(
            evidence, "_pdf_active_names", wraps=evidence._pdf_active_names
        ) as walk:
            started = time.monotonic()
            with pytest.raises(EvidenceRejected, match="could not be checked"):
                evidence.sniff(SimpleUploadedFile("台账.pdf", data))
            elapsed = time.monotonic() - started

        walk.assert_not_called()
        assert elapsed < 1
        # Objects packed in object streams escape the byte scan: the trailer's /Size still counts.
        with (
            mock.patch.object(evidence, "_pdf_objects_written", return_value=0),
            mock.patch.object(evidence, "_pdf_active_names") as walk,
            pytest.raises(EvidenceRejected, match="could not be checked"),
        ):
            evidence.sniff(SimpleUploadedFile("台账.pdf", data))
        walk.assert_not_called()
        response = _upload(client, draft, SimpleUploadedFile("台账.pdf", data))
        assert any("台账.pdf" in m and "could not be checked" in m for m in messages_of(response))
        assert not draft.evidence.exists()

    def test_the_walk_stops_at_the_cap_of_objects_visited(self):
        reader = PdfReader(io.BytesIO(_pdf_of_objects(300)))

        with pytest.raises(evidence.PdfUncheckable):
            evidence._pdf_active_names(reader.trailer, 100, time.monotonic() + 60)
        assert evidence._pdf_active_names(reader.trailer, 1000, time.monotonic() + 60) is False

    def test_the_walk_stops_when_its_time_is_up(self, monkeypatch):
        data = _pdf_of_objects(300)
        monkeypatch.setattr(evidence, "PDF_CHECK_SECONDS", -1.0)  # the deadline has passed

        with pytest.raises(EvidenceRejected, match="could not be checked"):
            evidence.sniff(SimpleUploadedFile("台账.pdf", data))

    def test_a_link_to_a_web_page_on_opening_is_accepted(self, staff, draft):
        uri = {
            "/OpenAction": DictionaryObject(
                {
                    NameObject("/S"): NameObject("/URI"),
                    NameObject("/URI"): TextStringObject("https://example.com/"),
                }
            )
        }
        item = _attach(staff, draft, SimpleUploadedFile("通知.pdf", pdf_bytes(uri)))

        assert item.content_type == "application/pdf"

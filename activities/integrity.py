"""Evidence integrity: the same photo in two reports, photos taken on another day, thumbnails.

After an upload a Celery task (activities.tasks.process_evidence) calls `evidence_process`, which
hashes the file (SHA-256, and the pHash of a photo: activities.fingerprints), keeps the photo's
EXIF capture date, makes its thumbnails (activities.photos) and records every earlier evidence of
another activity in the campaign that is the same file or the same photo (EvidenceMatch). Matches
are looked up across the whole campaign, also in units the uploader cannot see; what a reviewer is
told about them depends on what the reviewer may see (`evidence_warnings`).

Warnings never block anything: reviewers see them and decide; an approval records how many there
were (ActivityEvent.evidence_warnings)."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image

from activities import fingerprints, photos
from activities.models import Activity, Evidence, EvidenceMatch, Status
from campaigns.models import Campaign
from common.uploads import ImageRefused, decode_image, open_image
from units.models import Unit

log = logging.getLogger(__name__)

BACKFILL_BATCH = 200


# --- Reading a stored photo ----------------------------------------------------------------------


def _read_photo(stored: FieldFile) -> tuple[datetime | None, Image.Image] | None:
    """(capture time, the photo upright within the medium thumbnail size), through the one safe
    way an upload is decoded (common.uploads: accepted decoders only, pixels capped, one
    reduced-scale decode). None when it no longer decodes: no hash, no thumbnails, no failure."""
    with stored.open("rb") as handle:
        try:
            with open_image(handle) as image:  # the EXIF header, before any pixel is decoded
                captured = photos.capture_time(image)
            _format, upright = decode_image(handle, fit=photos.THUMBNAIL_SIZES["medium"])
        except ImageRefused:
            return None
    return captured, upright


def _sha256(stored: FieldFile) -> str:
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- The rules -----------------------------------------------------------------------------------


def capture_days_outside(captured_at: datetime | None, activity: Activity) -> int:
    """How many days the photo was taken before the activity's first day (negative) or after its
    last (positive) beyond the tolerance (EVIDENCE_CAPTURE_TOLERANCE_DAYS); 0 when within, or
    when the photo carries no capture date."""
    if captured_at is None or activity.starts_on is None:
        return 0
    taken = timezone.localdate(captured_at)
    tolerance = timedelta(days=settings.EVIDENCE_CAPTURE_TOLERANCE_DAYS)
    first, last = activity.starts_on, activity.ends_on or activity.starts_on
    if taken < first - tolerance:
        return (taken - first).days
    if taken > last + tolerance:
        return (taken - last).days
    return 0


def near_matches(
    *, campaign_id: int, phash: int, max_distance: int | None = None
) -> dict[int, int]:
    """Evidence of the campaign whose pHash is within `max_distance` (default
    EVIDENCE_MATCH_DISTANCE) of `phash`: {evidence id: distance}. Read through the band indexes
    (activities.fingerprints): one index-only read per band for its probe keys, then the exact
    distance of the candidates — in PostgreSQL itself, so that only matches come back."""
    if max_distance is None:
        max_distance = settings.EVIDENCE_MATCH_DISTANCE
    keys = fingerprints.probe_keys(phash, max_distance)
    if connection.vendor == "postgresql" and connection.pg_version >= 140000:  # bit_count
        with connection.cursor() as cursor:
            params: list = []
            for band_keys in keys:
                params += [campaign_id, band_keys, phash, max_distance]
            cursor.execute(_NEAR_SQL, params)
            rows = cursor.fetchall()
    else:
        base = Evidence.objects.filter(campaign_id=campaign_id).order_by()
        per_band = [
            base.filter(**{f"phash_b{band}__in": keys[band]}).values_list("id", "phash")
            for band in range(fingerprints.BANDS)
        ]
        rows = per_band[0].union(*per_band[1:], all=True)
    found = {}
    for pk, value in rows:
        if value is not None and (gap := fingerprints.distance(value, phash)) <= max_distance:
            found[pk] = gap
    return found


# The same read as the ORM's union above, with the distance checked by PostgreSQL (bit_count of
# the XOR): each branch is an index-only scan of its band's index.
_NEAR_SQL = " UNION ALL ".join(
    f"(SELECT id, phash FROM {Evidence._meta.db_table} "
    f"WHERE campaign_id = %s AND phash_b{band} = ANY(%s) "
    f"AND bit_count((phash # %s)::bit(64)) <= %s)"
    for band in range(fingerprints.BANDS)
)


# --- Processing an upload ------------------------------------------------------------------------


def evidence_process(*, evidence_id: int) -> Evidence | None:
    """Hash, date and thumbnail one evidence file and record its matches. Done once: a task run
    twice, or the backfill meeting a file the task did, changes nothing. None if it is gone."""
    item = Evidence.objects.select_related("activity").filter(pk=evidence_id).first()
    if item is None or item.processed_at is not None:
        return item
    fields: dict = {"campaign_id": item.activity.campaign_id}
    made: dict[str, bytes] = {}
    try:
        fields["sha256"] = _sha256(item.file)
    except (FileNotFoundError, OSError, ValueError):
        log.warning("Evidence %s: the file is missing from storage", item.pk)
    photo = _read_photo(item.file) if item.is_image and "sha256" in fields else None
    if photo is not None:
        fields["captured_at"], upright = photo
        value = fingerprints.phash(upright)
        fields["phash"] = value
        for band, band_value in enumerate(fingerprints.bands(value)):
            fields[f"phash_b{band}"] = band_value
        made = photos.thumbnails(upright)
    stored = _store_thumbnails(item, made)
    try:
        with transaction.atomic():
            return _record(item.pk, fields, stored)
    except Exception:
        _delete(stored.values())
        raise


def _store_thumbnails(item: Evidence, made: dict[str, bytes]) -> dict[str, str]:
    storage = item.file.storage
    base = item.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return {
        size: storage.save(
            f"evidence/{item.activity_id}/thumbs/{base}-{size}.jpg", ContentFile(data)
        )
        for size, data in made.items()
    }


def _delete(names: Iterable[str]) -> None:
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


def _record(evidence_id: int, fields: dict, stored: dict[str, str]) -> Evidence | None:
    # One campaign's uploads are matched one at a time: two copies of a photo processed at once
    # would otherwise each miss the other, neither being committed when the other looks.
    Campaign.objects.select_for_update().filter(pk=fields["campaign_id"]).first()
    item = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("activity")
        .filter(pk=evidence_id)
        .first()
    )
    if item is None or item.processed_at is not None:
        transaction.on_commit(lambda: _delete(stored.values()))
        return item
    replaced = [item.thumbnail.name, item.thumbnail_small.name]
    for name, value in fields.items():
        setattr(item, name, value)
    if "medium" in stored:
        item.thumbnail.name = stored["medium"]
        item.thumbnail_small.name = stored["small"]
    item.processed_at = timezone.now()
    item.save(update_fields=[*fields, "thumbnail", "thumbnail_small", "processed_at"])
    if "medium" in stored:
        transaction.on_commit(lambda: _delete(n for n in replaced if n not in stored.values()))
    later = _record_matches(item)
    flags_refresh(evidence_ids=[item.pk, *later])
    item.refresh_from_db(fields=["flagged"])
    return item


def _record_matches(item: Evidence) -> list[int]:
    """Write the matches between `item` and the campaign's other evidence, each on the later of
    the two; the ids of the other, later evidence that now has a match."""
    others: dict[int, tuple[int, bool]] = {}
    if item.sha256:
        same = Evidence.objects.filter(campaign_id=item.campaign_id, sha256=item.sha256)
        for pk in same.exclude(pk=item.pk).values_list("pk", flat=True):
            others[pk] = (0, True)
    if item.phash is not None:
        for pk, gap in near_matches(campaign_id=item.campaign_id, phash=item.phash).items():
            if pk != item.pk:
                others.setdefault(pk, (gap, False))
    rows = (
        Evidence.objects.filter(pk__in=others)
        .exclude(activity_id=item.activity_id)
        .values_list("pk", "created_at")
    )
    matches, later = [], []
    for pk, created_at in rows:
        gap, exact = others[pk]
        if (created_at, pk) < (item.created_at, item.pk):
            matches.append(EvidenceMatch(evidence=item, earlier_id=pk, distance=gap, exact=exact))
        else:
            matches.append(EvidenceMatch(evidence_id=pk, earlier=item, distance=gap, exact=exact))
            later.append(pk)
    EvidenceMatch.objects.bulk_create(matches, ignore_conflicts=True)
    return later


def flags_refresh(*, evidence_ids: Iterable[int] = (), activity: Activity | None = None) -> None:
    """Set `flagged` on these evidence files (or all of `activity`'s) from their matches and
    capture dates: after processing, and when an activity's dates change."""
    queryset = Evidence.objects.select_related("activity").annotate(
        matched=Exists(EvidenceMatch.objects.filter(evidence=OuterRef("pk")))
    )
    if activity is not None:
        queryset = queryset.filter(activity=activity)
    else:
        queryset = queryset.filter(pk__in=list(evidence_ids))
    for item in queryset.only("flagged", "captured_at", "activity__starts_on", "activity__ends_on"):
        flagged = item.matched or capture_days_outside(item.captured_at, item.activity) != 0
        if flagged != item.flagged:
            Evidence.objects.filter(pk=item.pk).update(flagged=flagged)


def warnings_count(activity: Activity) -> int:
    """How many of the activity's evidence files carry a warning now."""
    return activity.evidence.filter(flagged=True).count()


def backfill(*, batch_size: int = BACKFILL_BATCH, limit: int | None = None, progress=None) -> int:
    """Process the evidence not processed yet (uploaded before this check existed, or whose task
    was lost), oldest first, a batch at a time. Resumable: each file is marked when done
    (processed_at) and never taken again, so an interrupted run goes on where it stopped. The
    number processed; `progress(done, left)` is called after each batch."""
    done = 0
    pending = Evidence.objects.filter(processed_at__isnull=True).order_by("pk")
    after = 0  # a file that cannot be marked (deleted meanwhile) is not taken twice
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        ids = list(pending.filter(pk__gt=after).values_list("pk", flat=True)[:size])
        if not ids:
            break
        for pk in ids:
            evidence_process(evidence_id=pk)
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(done, pending.filter(pk__gt=after).count())
    return done


# --- What reviewers and leaders see --------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceWarning:
    kind: str  # "exact", "near" or "date"
    text: str
    url: str = ""  # the earlier activity, when the viewer may see it


def _day(value) -> str:
    return date_format(value, "Y-m-d")


def evidence_warnings(viewer, items: list[Evidence]) -> dict[int, list[EvidenceWarning]]:
    """{evidence id: its warnings}, for evidence the caller has checked `viewer` may review
    (activities.selectors.is_reviewer_of); each item's `activity` must be loaded. Two queries
    however many items: their matches, and which of the matched activities `viewer` may see."""
    from activities.selectors import activities_visible_to

    warnings: dict[int, list[EvidenceWarning]] = {item.pk: [] for item in items}
    matches = list(
        EvidenceMatch.objects.filter(evidence_id__in=list(warnings))
        .select_related("earlier__activity__unit")
        .only(
            "evidence_id",
            "distance",
            "exact",
            "earlier__created_at",
            "earlier__activity__title",
            "earlier__activity__starts_on",
            "earlier__activity__unit__name",
        )
    )
    visible = set()
    if matches:
        visible = set(
            activities_visible_to(viewer)
            .filter(pk__in={m.earlier.activity_id for m in matches})
            .values_list("pk", flat=True)
        )
    for match in matches:
        earlier = match.earlier
        kind = "exact" if match.exact else "near"
        if earlier.activity_id in visible:
            values = {
                "title": earlier.activity.title,
                "unit": earlier.activity.unit.name,
                "date": _day(earlier.activity.starts_on),
            }
            if match.exact:
                text = _("The same file is evidence of “%(title)s” (%(unit)s, %(date)s).")
            else:
                text = _("This photo closely matches evidence of “%(title)s” (%(unit)s, %(date)s).")
            url = reverse("activities:detail", args=[earlier.activity_id])
            warnings[match.evidence_id].append(EvidenceWarning(kind, text % values, url))
        else:
            values = {"date": _day(timezone.localdate(earlier.created_at))}
            if match.exact:
                text = _("The same file was submitted by another unit on %(date)s.")
            else:
                text = _(
                    "This photo closely matches a photo submitted by another unit on %(date)s."
                )
            warnings[match.evidence_id].append(EvidenceWarning(kind, text % values))
    for item in items:
        days = capture_days_outside(item.captured_at, item.activity)
        if days:
            values = {"taken": _day(timezone.localdate(item.captured_at)), "days": abs(days)}
            if days < 0:
                text = ngettext(
                    "Taken on %(taken)s, %(days)s day before the activity began.",
                    "Taken on %(taken)s, %(days)s days before the activity began.",
                    abs(days),
                )
            else:
                text = ngettext(
                    "Taken on %(taken)s, %(days)s day after the activity ended.",
                    "Taken on %(taken)s, %(days)s days after the activity ended.",
                    abs(days),
                )
            warnings[item.pk].append(EvidenceWarning("date", text % values))
    return warnings


def flagged_by_child(unit: Unit, campaign: Campaign | None = None) -> list[tuple[Unit, int]]:
    """For a leader: each child of `unit` (and the unit itself for its own activities) with the
    number of flagged evidence files in its subtree. Drafts are left out: a draft is its unit's
    own until submitted, and a count that moved while a draft was edited would let its author
    try photos until none is flagged. At most two queries; the count is written in SQL, as the
    roll-up reads are, for it is on every leader's dashboard (the ORM's joins and grouping cost
    more to build than the query costs to run)."""
    width = len(unit.path) + Unit.steplen
    # A unit path holds only the tree's alphabet (digits and capitals): nothing to escape in LIKE.
    evidence, activities = Evidence._meta.db_table, Activity._meta.db_table
    sql = (
        f"SELECT SUBSTRING(u.path, 1, %s), COUNT(*) FROM {evidence} e"
        f" INNER JOIN {activities} a ON a.id = e.activity_id"
        f" INNER JOIN {Unit._meta.db_table} u ON u.id = a.unit_id"
        " WHERE e.flagged AND a.status <> %s AND u.path LIKE %s"
    )
    params: list = [width, Status.DRAFT, f"{unit.path}%"]
    if campaign is not None:
        sql += " AND a.campaign_id = %s"
        params.append(campaign.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY 1", params)
        counts: dict[str, int] = dict(cursor.fetchall())
    below = [path for path in counts if path != unit.path]
    children = Unit.objects.filter(path__in=below).order_by("path") if below else []
    rows = [(child, counts[child.path]) for child in children]
    if counts.get(unit.path):
        rows.insert(0, (unit, counts[unit.path]))
    return rows

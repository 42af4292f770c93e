from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Line(models.TextChoices):
    """The four lines of work: party building leads the building of the mass organisations."""

    PARTY = "party", _("Party building")
    UNION = "union", _("Trade-union building")
    LEAGUE = "league", _("Youth-league building")
    WOMEN = "women", _("Women's-federation building")


class UnitKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    PARTY_WORKING_COMMITTEE = "party_working_committee", _("Party working committee")
    PARTY_BRANCH = "party_branch", _("Party branch")
    TRADE_UNION = "trade_union", _("Trade union")
    LEAGUE_COMMITTEE = "league_committee", _("Youth League committee")
    LEAGUE_BRANCH = "league_branch", _("Youth League branch")
    WOMEN_FEDERATION = "women_federation", _("Women's federation")
    WOMEN_COMMITTEE = "women_committee", _("Women's committee")
    OTHER = "other", _("Other")


# A kind fixes its line; OTHER leaves the line to the admin.
KIND_LINES: dict[str, str] = {
    UnitKind.PARTY_COMMITTEE: Line.PARTY,
    UnitKind.PARTY_WORKING_COMMITTEE: Line.PARTY,
    UnitKind.PARTY_BRANCH: Line.PARTY,
    UnitKind.TRADE_UNION: Line.UNION,
    UnitKind.LEAGUE_COMMITTEE: Line.LEAGUE,
    UnitKind.LEAGUE_BRANCH: Line.LEAGUE,
    UnitKind.WOMEN_FEDERATION: Line.WOMEN,
    UnitKind.WOMEN_COMMITTEE: Line.WOMEN,
}


STEPLEN = 4  # treebeard's default path step


def parent_path_of(path: str) -> str:
    """The path of the unit above the one at `path` ("" for a root)."""
    return path[:-STEPLEN]


def paths_up_to(path: str) -> list[str]:
    """The paths of the unit at `path` and of every unit above it, root first."""
    return [path[:end] for end in range(STEPLEN, len(path) + 1, STEPLEN)]


class Unit(MP_Node):
    """An organisation in the tree: prefecture → city → grassroots committee → branch."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices)
    line = models.CharField(_("line"), max_length=16, choices=Line.choices)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    node_order_by = ["sort_order", "code"]
    steplen = STEPLEN

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(fields=["line", "kind"]),
            # The children of a unit near the top: its few units of the next depth, not its
            # whole subtree filtered by depth.
            models.Index(fields=["depth", "path"], name="unit_depth_path_idx"),
            # A scoped list tests each row's unit (its foreign key) for a path under the user's:
            # with the path beside the id, that test is read from the index alone, not the table
            # (the review queue's count of up to 1,001 waiting rows: half the time in PostgreSQL).
            models.Index(fields=["id", "path"], name="unit_id_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # A kind fixes its line: fill it in before blank-field validation would refuse it.
        if not self.line:
            self.line = KIND_LINES.get(self.kind, "")
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        expected = KIND_LINES.get(self.kind)
        if expected and self.line and self.line != expected:
            raise ValidationError(
                {
                    "line": _("A unit of this kind belongs to the line “%(line)s”.")
                    % {"line": Line(expected).label}
                }
            )

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every unit above it, root first."""
        return paths_up_to(self.path)

    @property
    def parent_path(self) -> str:
        return parent_path_of(self.path)


class Role(models.TextChoices):
    STAFF = "staff", _("Staff")
    REVIEWER = "reviewer", _("Reviewer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A user holds a role on a unit; a user may hold several roles on several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Pair(models.Model):
    """A co-building pair (结对共建) links two units outside the tree."""

    first = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="pairs_as_first", verbose_name=_("unit")
    )
    second = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="pairs_as_second",
        verbose_name=_("paired unit"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-building pair")
        verbose_name_plural = _("co-building pairs")
        constraints = [
            # Stored with the smaller id first, so a pair exists once whichever side created it.
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="pair_ordered"),
            models.UniqueConstraint(fields=["first", "second"], name="pair_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.first} ⇄ {self.second}"

    def other(self, unit: Unit) -> Unit:
        return self.second if unit.pk == self.first_id else self.first

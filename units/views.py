"""The unit pages: tree browser and search, the unit page, and the admin's changes to the tree.

Every view starts from a selector: a unit the user may not see, or may not act on in the role the
action needs, is a 404. Moving, deactivating and deleting a unit also need an admin *above* it;
an admin of the unit itself who asks for that gets a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import user_invite
from units import selectors, services
from units.exceptions import UnitError
from units.filters import UnitFilter
from units.forms import MemberAddForm, PairForm, UnitForm, UnitMoveForm
from units.models import Membership, Role, Unit
from units.scope import Scope

SEARCH_PAGE_SIZE = 50


def _admin_unit(request: HttpRequest, pk: int) -> Unit:
    return selectors.unit_for_user(Scope.of(request), pk, role=Role.ADMIN)


def _admin_above_unit(request: HttpRequest, pk: int) -> Unit:
    unit = _admin_unit(request, pk)
    if not Scope.of(request).can_admin_above(unit):
        raise PermissionDenied(_("Only an administrator above this unit may do that."))
    return unit


def _form_page(request: HttpRequest, template: str, unit: Unit, form, action: str) -> HttpResponse:
    context = {
        "unit": unit,
        "form": form,
        "action": action,
        "breadcrumbs": selectors.breadcrumbs(Scope.of(request), unit),
    }
    return render(request, f"units/{template}.html", context)


def _children_by_parent(parents: list[Unit], *, include_inactive: bool) -> dict[str, list[Unit]]:
    """The children of several units in one query, keyed by the parent's path."""
    if not parents:
        return {}
    query = Q(pk__in=[])
    for parent in parents:
        query |= Q(path__startswith=parent.path, depth=parent.depth + 1)
    children = Unit.objects.filter(query)
    if not include_inactive:
        children = children.filter(is_active=True)
    grouped: dict[str, list[Unit]] = {parent.path: [] for parent in parents}
    for child in children.order_by("path"):
        grouped[child.parent_path].append(child)
    return grouped


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request)
    visible = selectors.units_visible_to(scope)
    unit_filter = UnitFilter(request.GET or None, queryset=visible, actor=scope)
    context: dict = {"filter": unit_filter, "show_inactive": unit_filter.show_inactive}
    if unit_filter.is_search:
        page = Paginator(unit_filter.qs, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        ancestors = selectors.ancestors_by_path(page.object_list)
        context["page"] = page
        context["rows"] = [
            {
                "unit": unit,
                "breadcrumbs": [
                    (ancestors[path], scope.opens(path))
                    for path in unit.ancestor_paths[:-1]
                    if path in ancestors
                ],
                # Its reviewer would sit above what this admin administers: they ask upward.
                "ask_above": unit_filter.need == "reviewer" and not scope.can_admin_above(unit),
            }
            for unit in page.object_list
        ]
    else:
        roots = list(selectors.roots_for(scope).order_by("path"))
        if not unit_filter.show_inactive:
            roots = [root for root in roots if root.is_active]
        children = _children_by_parent(roots, include_inactive=unit_filter.show_inactive)
        context["roots"] = [(root, children[root.path]) for root in roots]
    return render(request, "units/unit_tree.html", context)


@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The units below one node of the tree, loaded when the node is opened."""
    unit = selectors.unit_for_user(Scope.of(request), pk)
    if not request.htmx:
        return redirect("units:detail", pk=unit.pk)
    show_inactive = request.GET.get("inactive") == "1"
    children = selectors.children_of(unit, include_inactive=show_inactive).order_by("path")
    return render(
        request,
        "units/partials/unit_children.html",
        {"unit": unit, "children": children, "show_inactive": show_inactive},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = Scope.of(request)
    unit = selectors.unit_for_user(scope, pk)
    roles = scope.roles_on(unit)
    is_admin = Role.ADMIN in roles
    admin_above = is_admin and scope.can_admin_above(unit)
    pairs = [(pair, pair.other(unit)) for pair in selectors.pairs_of(unit).order_by("pk")]
    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "breadcrumbs": selectors.breadcrumbs(scope, unit),
            "children": selectors.children_of(unit, include_inactive=True).order_by("path"),
            "members": selectors.members_of(unit),
            "pairs": [(pair, other, scope.can_view(other)) for pair, other in pairs],
            "roles": roles,
            "is_admin": is_admin,
            "admin_above": admin_above,
            "can_delete": admin_above and not services.unit_is_referenced(unit),
        },
    )


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _admin_unit(request, pk)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.unit_create(parent=parent, unit=Unit(**form.cleaned_data))
        except UnitError as error:
            messages.error(request, str(error))
            return redirect("units:detail", pk=parent.pk)
        messages.success(request, _("“%(name)s” has been added.") % {"name": child.name})
        return redirect("units:detail", pk=child.pk)
    return _form_page(request, "unit_create", parent, form, _("Add a unit below"))


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, fields=form.cleaned_data)
        except UnitError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The unit has been saved."))
        return redirect("units:detail", pk=unit.pk)
    if request.method == "POST":
        # The form put the rejected values on the instance; show the saved name in the title.
        unit.refresh_from_db()
    return _form_page(request, "unit_edit", unit, form, _("Edit unit"))


@login_required
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_above_unit(request, pk)
    parents = (
        selectors.units_for_role(Scope.of(request), Role.ADMIN)
        .filter(is_active=True)
        .exclude(path__startswith=unit.path)
        .exclude(path=unit.parent_path)
        .order_by("path")
    )
    form = UnitMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(unit=unit, new_parent=form.cleaned_data["new_parent"])
        except UnitError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The unit has been moved."))
        return redirect("units:detail", pk=unit.pk)
    return _form_page(request, "unit_move", unit, form, _("Move unit"))


def _unit_action(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    unit = _admin_above_unit(request, pk)
    try:
        action(unit=unit)
    except UnitError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("units:detail", pk=unit.pk)


@login_required
@require_POST
def unit_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_action(request, pk, services.unit_deactivate, _("The unit has been deactivated."))


@login_required
@require_POST
def unit_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _unit_action(request, pk, services.unit_reactivate, _("The unit has been reactivated."))


@login_required
@require_POST
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_above_unit(request, pk)
    parent = Unit.objects.filter(path=unit.parent_path).first() if unit.depth > 1 else None
    try:
        services.unit_delete(unit=unit)
    except UnitError as error:
        messages.error(request, str(error))
        return redirect("units:detail", pk=unit.pk)
    messages.success(request, _("“%(name)s” has been deleted.") % {"name": unit.name})
    return redirect("units:detail", pk=parent.pk) if parent else redirect("units:tree")


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # One transaction: if the membership is refused, the invited account and its mail
            # are not kept either.
            with transaction.atomic():
                user = form.existing_user or user_invite(
                    username=data["username"],
                    name=data["name"],
                    email=data["email"],
                    domain=request.get_host(),
                    use_https=request.is_secure(),
                )
                services.membership_add(user=user, unit=unit, role=data["role"])
        except UnitError as error:
            messages.error(request, str(error))
            return redirect("units:detail", pk=unit.pk)
        if form.existing_user is None:
            messages.success(
                request,
                _("%(user)s has been created and emailed a link to set a password.")
                % {"user": user},
            )
        else:
            messages.success(request, _("%(user)s has been added.") % {"user": user})
        return redirect("units:detail", pk=unit.pk)
    return _form_page(request, "unit_member_add", unit, form, _("Add member"))


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_pk, unit=unit
    )
    services.membership_remove(membership=membership)
    messages.success(
        request,
        _("%(user)s no longer holds the role “%(role)s” here.")
        % {"user": membership.user, "role": membership.get_role_display()},
    )
    return redirect("units:detail", pk=unit.pk)


@login_required
def pair_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    others = (
        selectors.units_visible_to(Scope.of(request))
        .filter(is_active=True)
        .exclude(pk=unit.pk)
        .order_by("path")
    )
    form = PairForm(request.POST or None, others=others)
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_create(
                unit=unit, other=form.cleaned_data["other"], note=form.cleaned_data["note"]
            )
        except UnitError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The co-building pair has been added."))
        return redirect("units:detail", pk=unit.pk)
    return _form_page(request, "unit_pair_add", unit, form, _("Add co-building pair"))


@login_required
@require_POST
def pair_remove(request: HttpRequest, pk: int, pair_pk: int) -> HttpResponse:
    unit = _admin_unit(request, pk)
    pair = get_object_or_404(selectors.pairs_of(unit), pk=pair_pk)
    services.pair_delete(pair=pair)
    messages.success(request, _("The co-building pair has been removed."))
    return redirect("units:detail", pk=unit.pk)

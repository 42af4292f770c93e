"""Targets through the API: read as before (api.read_views.TargetViewSet), and set, changed or
removed by an administrator of the unit or above, through the services and the rule the target
pages use (campaigns.services.target_set / target_delete, units.scope.Scope.can_manage; the task
one of an open campaign covering the unit, as the page offers). A unit or target the user may
not see is a 404 (422 when named in a body); one they see without that role, a 403."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from api import read_serializers as s
from api.errors import refused, valid
from api.read_views import TargetViewSet
from campaigns import services
from campaigns.models import Target, TargetTask
from campaigns.selectors import active_campaigns_for
from units.models import Unit
from units.selectors import units_visible_to


class TargetWriteViewSet(TargetViewSet):
    """Targets of the units the user sees; admins of a unit or above set its targets."""

    def _may_set(self, unit: Unit) -> None:
        if not self.scope.can_manage(unit):
            raise PermissionDenied(
                _("Only an administrator of this unit or above may set targets."),
                code="not_allowed",
            )

    def _answer(self, target: Target, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=target.pk)
        return Response(s.TargetSerializer(fresh).data, status=code)

    def get_object(self) -> Target:
        found = self.get_queryset().select_related("unit").filter(pk=self.url_pk()).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(
        request=s.TargetSetSerializer,
        responses={200: s.TargetSerializer, 201: s.TargetSerializer},
    )
    def create(self, request: Request) -> Response:
        """Set a unit's target for a task (201 when new, 200 when it replaced one): a later bulk
        assignment leaves it alone."""
        data = valid(s.TargetSetSerializer, request.data)
        unit = units_visible_to(self.scope).filter(pk=data["unit"]).first()
        if unit is None:
            raise refused("unit", _("No such unit."))
        self._may_set(unit)
        task = TargetTask.objects.filter(
            pk=data["task"], campaign__in=active_campaigns_for(unit), is_active=True
        ).first()
        if task is None:
            raise refused("task", _("Not a task of an open campaign covering this unit."))
        existed = Target.objects.filter(unit=unit, task=task).exists()
        target = services.target_set(
            unit=unit, task=task, value=data["value"], due_on=data["due_on"]
        )
        return self._answer(target, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(request=s.TargetChangeSerializer, responses=s.TargetSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a target's value or due date; it is then set by hand (is_override)."""
        target = self.get_object()
        self._may_set(target.unit)
        data = valid(s.TargetChangeSerializer, request.data)
        target = services.target_set(
            unit=target.unit,
            task=target.task,
            value=data.get("value", target.value),
            due_on=data.get("due_on", target.due_on),
        )
        return self._answer(target)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        """Remove a target no activity counts toward (else 422)."""
        target = self.get_object()
        self._may_set(target.unit)
        services.target_delete(target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)

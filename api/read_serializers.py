"""Units, memberships, campaigns, tasks, targets and notifications as the API reads them."""

from rest_framework import serializers

from api.fields import TwoPlaces, id_field
from campaigns.models import Campaign, Target, TargetTask
from notifications.messages import describe
from notifications.models import Notification
from units.models import Membership, Unit


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ("id", "code", "name", "kind", "line", "depth", "parent", "is_active")
        read_only_fields = fields

    def get_parent(self, unit: Unit) -> int | None:
        """The parent unit's id, from the map the view read once (None at the top)."""
        return self.context.get("parents", {}).get(unit.parent_path)


class MembershipSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "unit", "unit_name", "role", "created_at")
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = (
            "id",
            "name",
            "unit",
            "starts_on",
            "ends_on",
            "review_deadline_days",
            "review_levels",
            "evidence_required",
            "is_active",
        )
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetTask
        fields = (
            "id",
            "campaign",
            "code",
            "line",
            "title",
            "programme",
            "description",
            "metric",
            "quantity_label",
            "is_required",
            "is_active",
        )
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="task.campaign_id", read_only=True)

    class Meta:
        model = Target
        fields = ("id", "unit", "task", "campaign", "value", "due_on", "is_override")
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "rule", "title", "text", "link", "created_at", "read_at")
        read_only_fields = fields

    def get_title(self, notification: Notification) -> str:
        return describe(notification).title

    def get_text(self, notification: Notification) -> str:
        return describe(notification).text


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; all of yours when left out.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


# --- Target writes (api.target_views) ------------------------------------------------------------


class TargetChangeSerializer(serializers.Serializer):
    value = TwoPlaces(max_digits=12, decimal_places=2, min_value=0, required=False)
    due_on = serializers.DateField(required=False)


class TargetSetSerializer(serializers.Serializer):
    unit = id_field(help_text="A unit you are an administrator of, or one below it.")
    task = id_field(help_text="A task of an open campaign covering the unit.")
    value = TwoPlaces(max_digits=12, decimal_places=2, min_value=0)
    due_on = serializers.DateField()

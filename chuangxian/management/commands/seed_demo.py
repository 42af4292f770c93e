from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from chuangxian.demo import DEMO_PAIRS, DEMO_PASSWORD, DEMO_UNITS, DEMO_USERS
from units.models import KIND_LINES, Line, Membership, Pair, Unit
from units.services import membership_add, pair_create, unit_create


class Command(BaseCommand):
    help = "Build the demo city (idempotent: running it again adds only what is missing)."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        units = {
            unit.code: unit for unit in Unit.objects.filter(code__in=[u[0] for u in DEMO_UNITS])
        }
        created_units = 0
        for sort_order, (code, parent_code, name, kind) in enumerate(DEMO_UNITS):
            if code in units:
                continue
            unit = Unit(
                code=code,
                name=name,
                kind=kind,
                line=KIND_LINES.get(kind, Line.PARTY),
                sort_order=sort_order,
            )
            parent = units[parent_code] if parent_code else None
            if parent is not None:
                parent.refresh_from_db()
            units[code] = unit_create(parent=parent, unit=unit)
            created_units += 1

        for first, second, note in DEMO_PAIRS:
            a, b = sorted([units[first], units[second]], key=lambda u: u.pk)
            if not Pair.objects.filter(first=a, second=b).exists():
                pair_create(unit=a, other=b, note=note)

        created_users = 0
        for username, name, roles in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"name": name, "email": f"{username}@fukang.example.gov.cn"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if username == "admin":
                    user.is_staff = user.is_superuser = True
                user.save()
                created_users += 1
            for code, role in roles:
                if not Membership.objects.filter(user=user, unit=units[code], role=role).exists():
                    membership_add(user=user, unit=units[code], role=role)

        self.stdout.write(
            f"Demo city ready: {len(units)} units ({created_units} new), "
            f"{len(DEMO_USERS)} demo users ({created_users} new)."
        )

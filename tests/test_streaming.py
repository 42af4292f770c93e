import pytest
from django.db import transaction

from accounts.models import User
from common.streaming import stream
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_stream_reads_every_row_in_chunks_inside_a_transaction(settings):
    UserFactory.create_batch(5)
    with transaction.atomic():
        names = list(stream(User.objects.order_by("pk").values_list("username", flat=True), 2))

    assert len(names) == 5


@pytest.mark.django_db(transaction=True)
def test_stream_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        list(stream(User.objects.all(), 2))

"""The band keys that find near hashes by index (activities.fingerprints) and the lookup that uses
them (activities.integrity.near_matches)."""

import random

import pytest

from activities import fingerprints, integrity
from activities.models import Evidence
from tests.factories import UserFactory


def _flip(value: int, bits) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


def _found(query: int, stored: int, max_distance: int) -> bool:
    keys = fingerprints.probe_keys(query, max_distance)
    return any(band in keys[i] for i, band in enumerate(fingerprints.bands(stored)))


@pytest.mark.parametrize("max_distance", [0, 3, 6, 9])
def test_every_hash_within_the_distance_shares_a_probe_key(max_distance):
    chance = random.Random(max_distance)
    for _round in range(2000):
        query = chance.getrandbits(64)
        k = chance.randint(0, max_distance)
        if chance.random() < 0.5:  # all in one band: what exact band matching misses
            band = chance.randrange(4)
            bits = [16 * band + b for b in chance.sample(range(16), min(k, 16))]
        else:
            bits = chance.sample(range(64), k)
        assert _found(query, _flip(query, bits), max_distance)


def test_exact_band_matching_alone_misses_six_bits_in_one_band():
    query = 0x0123_4567_89AB_CDEF
    stored = _flip(query, [0, 1, 2, 3, 4, 5, 16, 32, 48][:6])  # six bits of the lowest band
    assert fingerprints.distance(query, stored) == 6
    assert fingerprints.bands(query)[0] != fingerprints.bands(stored)[0]
    assert _found(query, stored, 6)
    assert not _found(query, _flip(query, [0, 1, 16, 17, 32, 33, 48, 49]), 6)  # 8 bits: too far


def test_signed_and_unsigned_are_the_same_hash():
    value = (1 << 64) - 5
    signed = fingerprints.to_signed(value)
    assert signed == -5
    assert fingerprints.to_unsigned(signed) == value
    assert fingerprints.bands(signed) == fingerprints.bands(value)
    assert fingerprints.distance(signed, value) == 0


def test_the_lookup_finds_within_the_distance_and_nothing_farther(draft):
    chance = random.Random(16)
    user = UserFactory()
    query = chance.getrandbits(64)
    near = {
        0: query,
        4: _flip(query, [0, 1, 2, 3]),  # one band
        6: _flip(query, [60, 61, 62, 63, 10, 30]),
    }
    far = [_flip(query, range(7)), _flip(query, [0, 17, 34, 51, 1, 18, 35, 52])]
    rows = {}
    for gap, value in [*near.items(), *((None, v) for v in far)]:
        signed = fingerprints.to_signed(value)
        item = Evidence.objects.create(
            activity=draft,
            campaign=draft.campaign,
            file="x.jpg",
            original_name="x.jpg",
            content_type="image/jpeg",
            size=1,
            uploaded_by=user,
            phash=signed,
            **{f"phash_b{i}": b for i, b in enumerate(fingerprints.bands(signed))},
        )
        rows[item.pk] = gap

    found = integrity.near_matches(
        campaign_id=draft.campaign_id, phash=fingerprints.to_signed(query), max_distance=6
    )

    assert found == {pk: gap for pk, gap in rows.items() if gap is not None}

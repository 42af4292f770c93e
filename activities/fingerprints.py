"""Perceptual hashes of photos, and the keys that find near ones by index.

A photo's pHash (imagehash, 64 bits) barely changes when the photo is re-encoded, resized or
slightly cropped; another photo's differs in about half its bits. Two photos "match" when their
hashes differ in at most `distance` bits (the Hamming distance).

To find matches without reading every hash, each hash is split into BANDS = 4 bands of 16 bits,
stored in indexed columns. If two hashes differ in at most d bits, then in at least one band they
differ in at most d // 4 bits (four bands each differing in more would make more than d). So a
lookup asks, for each band, for the stored bands within radius d // 4 of the query's band — for
d = 6 that is the band itself and its 16 one-bit neighbours, 17 exact keys per band — and checks the
exact distance of the few candidates found. Every match within d is among the candidates: the
recall is 1 by construction, where exact band equality alone guarantees it only up to d = 3.
"""

from functools import lru_cache
from itertools import combinations

BANDS = 4
BAND_BITS = 16
_BAND_MASK = (1 << BAND_BITS) - 1
_SIGN = 1 << 63


def to_signed(value: int) -> int:
    """The unsigned 64-bit hash as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value & _SIGN else value


def to_unsigned(value: int) -> int:
    return value & ((1 << 64) - 1)


def bands(value: int) -> tuple[int, ...]:
    """The hash's four 16-bit bands, lowest first (signed or unsigned alike)."""
    value = to_unsigned(value)
    return tuple((value >> (BAND_BITS * i)) & _BAND_MASK for i in range(BANDS))


def distance(a: int, b: int) -> int:
    """The number of bits in which two hashes differ."""
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()


def band_radius(max_distance: int) -> int:
    """How far a band may be from the query's in the band that is nearest (pigeonhole)."""
    return max_distance // BANDS


@lru_cache(maxsize=4)
def _flips(radius: int) -> tuple[int, ...]:
    """Every 16-bit mask of at most `radius` set bits."""
    masks = [0]
    for bits in range(1, radius + 1):
        for chosen in combinations(range(BAND_BITS), bits):
            masks.append(sum(1 << bit for bit in chosen))
    return tuple(masks)


def probe_keys(value: int, max_distance: int) -> list[list[int]]:
    """For each band, the band values a hash within `max_distance` of `value` may carry in the
    band where it is nearest: the lookup's index keys."""
    flips = _flips(band_radius(max_distance))
    return [sorted(band ^ mask for mask in flips) for band in bands(value)]


def phash(image) -> int:
    """The 64-bit pHash of a decoded PIL image, as a signed integer."""
    import imagehash

    bits = imagehash.phash(image, hash_size=8).hash.flatten()
    value = 0
    for bit in bits:
        value = (value << 1) | int(bool(bit))
    return to_signed(value)

"""Identifiers as the API takes them: whole numbers within the database's 64-bit keys, so that a
number too large for PostgreSQL is refused as bad input, never sent to the database."""

from rest_framework import serializers

MAX_ID = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def id_list(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=id_field(), max_length=100, **kwargs)


def pk_of(value: str | int | None) -> int | None:
    """A primary key from the URL, or None when it is not one (the view answers 404)."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None

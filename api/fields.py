"""Fields as the API takes them, as strict as the schema says: in a JSON body a text field takes
only a string and a number field only a number (REST framework would also take 12 for "12"
and "12" for 12), and ids are whole numbers within the database's 64-bit keys, so that a number
too large for PostgreSQL is refused as bad input, never sent to the database."""

from decimal import ROUND_DOWN, Decimal

from rest_framework import serializers

MAX_ID = 2**63 - 1
# An id parameter's schema.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class Text(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumber(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class TwoPlaces(serializers.DecimalField):
    """A number kept to two places: a JSON number with more is cut to two, not refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)

    def validate_precision(self, value: Decimal) -> Decimal:
        whole = self.max_digits - self.decimal_places
        if abs(value) >= Decimal(10) ** whole:
            self.fail("max_whole_digits", max_whole_digits=whole)
        step = Decimal(1).scaleb(-self.decimal_places)
        return super().validate_precision(value.quantize(step, rounding=ROUND_DOWN))


def id_field(**kwargs) -> WholeNumber:
    return WholeNumber(min_value=1, max_value=MAX_ID, **kwargs)


def id_list(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=id_field(), max_length=100, **kwargs)


def pk_of(value: str | int | None) -> int | None:
    """A primary key from the URL, or None when it is not one (the view answers 404)."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None

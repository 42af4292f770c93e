"""The OpenAPI schema's shared pieces: the error body, and the errors every operation may answer
with, added to each operation once here rather than on each view."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """What every error answers: a stable code, a message in the request's language, and the
    messages of the fields that were refused."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# Errors any operation may answer with (400: a parameter not as the schema says); writes may also
# meet a record in another state (409) or be refused by the rules (422). api.errors says which.
COMMON_ERRORS = ("400", "401", "403", "404", "429")
WRITE_ERRORS = ("409", "422")


class Schema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        bodies = super()._get_response_bodies(direction=direction)
        codes = list(COMMON_ERRORS)
        if self.method != "GET":
            codes += WRITE_ERRORS
        for code in codes:
            if code not in bodies:
                bodies[code] = self._get_response_for_code(ErrorSerializer, code)
        return bodies

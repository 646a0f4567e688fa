"""marshmallow fields the API's request bodies share.

``JSONBoolean``: marshmallow's Boolean also takes 1, 0, 0.0, "yes", "off" and the like, which the
OpenAPI document (``type: boolean``) does not allow; a client that sends ``0.0`` for "false" has a
bug we should report, not guess at. Only JSON ``true`` and ``false`` load."""
from marshmallow import fields


class JSONBoolean(fields.Boolean):
    default_error_messages = {"invalid": "Not a boolean: use true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value

from marshmallow import Schema, fields, validate


class TokenRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=255),
                          metadata={"description": "E-mail or mobile number"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="api", validate=validate.Length(max=80))


class TokenSchema(Schema):
    token = fields.String(required=True, metadata={"description": "Send as Authorization: Bearer <token>"})
    expires_at = fields.DateTime(required=True, format="iso")


class RoleGrantSchema(Schema):
    """One grant and its scope: a community, a merchant (merchant_staff), or neither (platform_admin)."""
    role = fields.String()
    community_id = fields.Integer(allow_none=True)
    merchant_id = fields.Integer(allow_none=True)


class TalentSchema(Schema):
    talent_type = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    display_name = fields.String()
    locale = fields.String(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    timezone = fields.String()
    roles = fields.List(fields.Nested(RoleGrantSchema), attribute="role_grants")
    talent = fields.Nested(TalentSchema, allow_none=True)
    created_at = fields.DateTime(format="iso")

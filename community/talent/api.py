"""Talent JSON API under /api/v1 (the contract is in docs/talent.md). Thin: parse, scope, call
one operation or query, serialise."""
from flask_login import current_user
from flask_smorest import Blueprint

from community.core.api import login_required_api
from community.core.errors import NotFound, PermissionDenied
from community.talent import access, card, queries, rules
from community.talent import operations as ops
from community.talent.labels import stored_name
from community.talent.presentation import application_json, stage_name
from community.talent.schemas import (
    TalentApplicationCreateArgs, TalentApplicationCreatedSchema, TalentApplicationSchema, CardSchema, PublicKeySchema, TalentStatusSchema,
    TalentTypeSchema, VerdictSchema, VerifyArgs,
)

blp = Blueprint("talent_api", __name__, url_prefix="/api/v1", description="Talent: types, applications, card")
blp.before_request(login_required_api)


@blp.route("/talent")
@blp.response(200, TalentStatusSchema)
def my_talent():
    """The caller's talent type, tier, valid-until, status and certificate number."""
    return queries.talent_of(current_user)


@blp.route("/talent/types")
@blp.response(200, TalentTypeSchema(many=True))
def talent_types():
    """The active talent types with their criteria per tier."""
    return [{"code": t.code, "name": stored_name(t), "name_zh": t.name_zh, "name_en": t.name_en,
             "criteria": {"junior": t.criteria_junior, "intermediate": t.criteria_intermediate,
                          "senior": t.criteria_senior}} for t in queries.talent_types()]


@blp.route("/talent/applications", methods=["POST"])
@blp.arguments(TalentApplicationCreateArgs)
@blp.response(201, TalentApplicationCreatedSchema)
@blp.alt_response(409, description="An application is already open")
@blp.alt_response(422, description="Field errors")
def create_application(args):
    """Apply (个人申报): type, tier, employer and statement; submitted at once unless draft."""
    application = ops.create_application(
        current_user, submit=not args["draft"], talent_type=args["type"], claimed_tier=args["tier"],
        employer=args["employer"], statement=args["statement"], position_title=args["position"],
        years_in_field=args["years_in_field"])
    return {"id": application.id, "status": application.status, "stage": stage_name(application)}


@blp.route("/talent/applications")
@blp.response(200, TalentApplicationSchema(many=True))
def list_applications():
    """The caller's applications and re-reviews, newest first, each with its timeline."""
    return [application_json(a) for a in queries.my_applications(current_user)]


@blp.route("/talent/card")
@blp.response(200, CardSchema)
@blp.alt_response(404, description="The caller has no current tier")
def my_card():
    """A signed card token, valid for a minute (ask again for a fresh one)."""
    entry = queries.card_entry(current_user)
    if entry is None:
        raise NotFound()
    token, expires = card.issue_token(entry)
    return {"token": token, "expires_at": expires.isoformat()}


@blp.route("/talent/card/verify", methods=["POST"])
@blp.arguments(VerifyArgs)
@blp.response(200, VerdictSchema)
@blp.alt_response(403, description="Only merchant staff and community staff verify cards")
def verify_card(args):
    """Check a card token: valid, or why not (forged, expired, revoked, lapsed)."""
    if not access.may_verify_cards(current_user):
        raise PermissionDenied()
    verdict = card.verify_token(args["token"])
    entry = verdict.entry if verdict.reason != "forged" else None
    return {"valid": verdict.valid, "reason": verdict.reason, "tier": verdict.tier,
            "name_masked": rules.mask_name(entry.user.display_name) if entry is not None else None,
            "valid_until": entry.valid_until if entry is not None else None}


@blp.route("/talent/card/public-key")
@blp.response(200, PublicKeySchema)
def public_key():
    """The Ed25519 public key card tokens are signed with (verify offline)."""
    return {"algorithm": "Ed25519", "public_key_pem": card.public_key_pem(),
            "token_format": "TC1.<base64url payload>.<base64url signature over 'TC1.<payload>'>"}

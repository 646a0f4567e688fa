"""The talent part of ``flask demo generate`` (core/bulk.py): the registry (人才库) of the city.

Every resident the accounts step gave a tier is entered: an active entry with a certificate number
(``RC<year><id>``) for a one-year term that started some day of the last year, and the profile's
valid-until set to that term's end (the registry is the record, the profile mirrors it). About half
of them also have their previous, lapsed term (``expired``), and about a third of the residents
without a tier were revoked once (a reason from the list; their profile has no tier, as after a
revocation). With the default 20,000 residents that is about 27,000 entries; ``--residents 36000``
gives about 50,000. The default types (when the table is empty, e.g. after ``--force``) and every
community's default review stages are written too. Bulk writes only; one UPDATE for the profiles."""
import random
from datetime import timedelta

import sqlalchemy as sa

from community.accounts.generate import city_plan
from community.core.bulk import BulkContext, bulk_step
from community.talent import rules
from community.talent.models import REVOKE_REASONS

TALENT_TABLES = ("talent_registry", "talent_review_stages")
ENTRY_COLUMNS = ("id", "user_id", "community_id", "application_id", "talent_type", "tier", "certificate_no",
                 "valid_from", "valid_until", "status", "entered_at", "rereview_for", "revoke_reason",
                 "revoke_note", "revoked_at", "revoked_by_id")


@bulk_step(30, "talent", tables=TALENT_TABLES)
def generate_talent(ctx: BulkContext):
    if not all(ctx.writer.has_table(t) for t in TALENT_TABLES + ("talent_types",)):
        ctx.echo("Skipping talent: the talent tables do not exist yet (run `flask db upgrade`).")
        return
    conn, at = ctx.writer.conn, ctx.at
    city = city_plan(ctx)
    rng = random.Random(city.rng.random())
    if not conn.execute(sa.text("SELECT 1 FROM talent_types LIMIT 1")).first():
        ctx.write("talent_types", ("id", "code", "name_zh", "name_en", "criteria_junior", "criteria_intermediate",
                                   "criteria_senior", "position", "active", "created_at", "updated_at"),
                  [(i, code, zh, en, junior, intermediate, senior, i * 10, True, at, at)
                   for i, (code, zh, en, junior, intermediate, senior) in enumerate(rules.DEFAULT_TYPES, start=1)])
    stages = []
    for community in range(1, city.n_communities + 1):
        for position, (kind, role, zh, en) in enumerate(rules.DEFAULT_STAGES):
            stages.append((len(stages) + 1, community, position, kind, role, zh, en, rules.NOTICE_WORKING_DAYS))
    ctx.write("talent_review_stages", ("id", "community_id", "position", "kind", "role", "name_zh", "name_en",
                                       "notice_days"), stages)
    profiles = conn.execute(sa.text("SELECT p.user_id, p.talent_type, p.tier, u.community_id FROM talent_profiles p"
                                    " JOIN users u ON u.id = p.user_id ORDER BY p.user_id")).all()
    today = at.date()
    types = [code for code, *_rest in rules.DEFAULT_TYPES]
    entries = []

    def entry(user_id, community, talent_type, tier, start, status, **extra):
        ident = len(entries) + 1
        entries.append((ident, user_id, community, None, talent_type, tier,
                        rules.certificate_number(start.year, ident), start, rules.term_end(start), status,
                        at - (today - start), None, extra.get("reason"), extra.get("note", ""),
                        extra.get("revoked_at"), None))

    for user_id, talent_type, tier, community in profiles:
        start = today - timedelta(days=rng.randint(0, 364))
        if tier:
            if rng.random() < 0.5:  # the previous term, lapsed
                previous = start.replace(year=start.year - 1) if (start.month, start.day) != (2, 29) else start - timedelta(days=366)
                entry(user_id, community, talent_type, rng.choice(("junior", tier)), previous, "expired")
            entry(user_id, community, talent_type, tier, start, "active")
        elif rng.random() < 0.33:
            revoked_at = at - timedelta(days=rng.randint(1, 200))
            entry(user_id, community, rng.choice(types), "junior", start - timedelta(days=365), "revoked",
                  reason=rng.choice(REVOKE_REASONS), note="", revoked_at=revoked_at)
    ctx.write("talent_registry", ENTRY_COLUMNS, entries)
    # The profile mirrors its active entry's term (the accounts step gave every tier one end date).
    conn.execute(sa.text("UPDATE talent_profiles SET valid_until = (SELECT r.valid_until FROM talent_registry r"
                         " WHERE r.user_id = talent_profiles.user_id AND r.status = 'active')"
                         " WHERE tier IS NOT NULL"))

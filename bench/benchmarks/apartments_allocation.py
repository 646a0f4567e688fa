"""Allocation of a city-sized rental round on PostgreSQL: 10,000 applicants and 2,000 units (the
"Bench apartments" community bench/apartments.py builds once). Each run times the dry run (read
every input in bulk, score, rank, walk the preferences; nothing written) and the commit (the same
plus the conditional UPDATE of the round, 10,000 application rows, 2,000 offers, 12,000 in-app
notices, 2,000 offer e-mails in the outbox, the COMMIT), in-process, then undoes the commit so the
next run starts alike. The first commit is profiled (cProfile, top 35 by cumulative time) into
bench/results/profiles/. Target: each under 5 s."""
import os

from bench import apartments
from bench.results import REPO_DIR

NAME = "apartments_allocation"
DESCRIPTION = "dry run and commit of a 10,000-applicant / 2,000-unit round (target < 5 s each)"
COLUMNS = [("run", "run"), ("dry_run_s", "dry run s"), ("commit_s", "commit s"), ("allocated", "allocated"),
           ("waitlisted", "waitlisted"), ("ineligible", "ineligible")]
TARGET_S = 5.0


def add_arguments(parser):
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=2_000)


def run(ctx):
    world = apartments.seed(ctx.database_url, applicants=ctx.args.applicants, units=ctx.args.units)
    round_id = world["closed_round_id"]
    profiles = os.path.join(REPO_DIR, "bench", "results", "profiles")
    os.makedirs(profiles, exist_ok=True)
    rows = []
    apartments.reset(ctx.database_url, round_id)
    for index in range(ctx.args.runs):
        path = os.path.join(profiles, "apartments-allocation-commit.txt") if index == 0 else None
        dry, commit, counts = apartments.timed_allocation(ctx.database_url, round_id, profile_path=path)
        apartments.reset(ctx.database_url, round_id)
        rows.append({"run": index + 1, "dry_run_s": round(dry, 2), "commit_s": round(commit, 2),
                     "allocated": counts.get("allocated", 0), "waitlisted": counts.get("waitlisted", 0),
                     "ineligible": counts.get("ineligible", 0)})
    failed = any(r["dry_run_s"] > TARGET_S or r["commit_s"] > TARGET_S for r in rows)
    return {"tables": [("Allocation, 10,000 applicants / 2,000 units", rows, COLUMNS)],
            "results": {"runs": rows}, "settings": {"applicants": ctx.args.applicants, "units": ctx.args.units},
            "failed": failed}

"""The allocation as a pure function: deterministic (the same result twice and whatever the input
order), and fair (Hypothesis): no unit given twice, every unit given fits and is wanted, nobody
waitlisted while a unit they wanted went to someone ranked lower, and nobody got a worse
preference while a lower-ranked applicant took a unit of a better one."""
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from community.apartments import rules
from community.apartments.rules import Candidate, Flat

LAYOUTS = ("1b1l", "2b1l", "3b1l")
BUILDINGS = (1, 2, 3)

preference = st.one_of(st.tuples(st.just("layout"), st.sampled_from(LAYOUTS)),
                       st.tuples(st.just("building"), st.sampled_from(BUILDINGS)))


@st.composite
def rounds(draw):
    flats = [Flat(i, draw(st.sampled_from(LAYOUTS)), draw(st.sampled_from(BUILDINGS)), ("B", i % 3, str(i)))
             for i in range(1, draw(st.integers(0, 12)) + 1)]
    count = draw(st.integers(0, 25))
    candidates = []
    for i in range(1, count + 1):
        prefs = tuple(dict.fromkeys(draw(st.lists(preference, min_size=1, max_size=4))))
        fits = frozenset(draw(st.lists(st.sampled_from(LAYOUTS), min_size=1, max_size=3)))
        # Few distinct scores, so ties (broken by the lottery) are common.
        candidates.append(Candidate(i * 7, draw(st.integers(0, 3)), rules.lottery_number("s" * 8, i * 7), fits, prefs))
    return candidates, flats


def _first_free_index(candidate, flats_by_id, free):
    for index, pref in enumerate(candidate.preferences):
        if any(rules.matches(pref, flats_by_id[f]) and flats_by_id[f].layout in candidate.fits for f in free):
            return index
    return None


@settings(max_examples=300, deadline=None)
@given(rounds())
def test_fair(data):
    candidates, flats = data
    result = rules.allocate(candidates, flats)
    by_id = {c.id: c for c in candidates}
    flats_by_id = {f.id: f for f in flats}
    assert len(set(result.assigned.values())) == len(result.assigned)  # no unit twice
    assert set(result.ranking) == set(by_id) and len(result.ranking) == len(candidates)
    assert result.ranking == [c.id for c in sorted(candidates, key=rules.rank_key)]
    assert set(result.waitlist) | set(result.assigned) == set(by_id)
    for cid, unit_id in result.assigned.items():
        flat = flats_by_id[unit_id]
        assert flat.layout in by_id[cid].fits
        assert rules.matches(by_id[cid].preferences[result.matched_preference[cid]], flat)
    # Replaying the ranking: each candidate got the best preference still free when their turn came,
    # so nobody ranked higher is worse off because of someone ranked lower.
    free = set(flats_by_id)
    for cid in result.ranking:
        best = _first_free_index(by_id[cid], flats_by_id, free)
        if best is None:
            assert cid in result.waitlist
        else:
            assert result.matched_preference[cid] == best
            free.discard(result.assigned[cid])
    for position, cid in enumerate(result.ranking):
        if cid not in result.waitlist:
            continue
        for lower in result.ranking[position + 1:]:
            if lower in result.assigned:
                taken = flats_by_id[result.assigned[lower]]
                wanted = any(rules.matches(p, taken) for p in by_id[cid].preferences) and taken.layout in by_id[cid].fits
                assert not wanted, (cid, lower)


@settings(max_examples=200, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_deterministic_whatever_the_order(data, shuffler):
    candidates, flats = data
    first = rules.allocate(candidates, flats)
    again = rules.allocate(list(candidates), list(flats))
    shuffled_c, shuffled_f = list(candidates), list(flats)
    shuffler.shuffle(shuffled_c)
    shuffler.shuffle(shuffled_f)
    shuffled = rules.allocate(shuffled_c, shuffled_f)
    for other in (again, shuffled):
        assert other.ranking == first.ranking
        assert other.assigned == first.assigned
        assert other.waitlist == first.waitlist


def test_ties_are_broken_by_the_lottery_then_the_id():
    a = Candidate(1, 10, "ffff", frozenset({"1b1l"}), (("layout", "1b1l"),))
    b = Candidate(2, 10, "0000", frozenset({"1b1l"}), (("layout", "1b1l"),))
    c = Candidate(3, 11, "9999", frozenset({"1b1l"}), (("layout", "1b1l"),))
    result = rules.allocate([a, b, c], [Flat(100, "1b1l", 1, ("A", 1, "101"))])
    assert result.ranking == [3, 2, 1]
    assert result.assigned == {3: 100}
    assert result.waitlist == [2, 1]


def test_a_bigger_city_round_is_the_same_twice():
    rng = random.Random(7)
    flats = [Flat(i, rng.choice(LAYOUTS), rng.choice(BUILDINGS), ("B", i // 10, str(i))) for i in range(500)]
    candidates = [Candidate(i, rng.randint(0, 50), rules.lottery_number("x" * 16, i), frozenset(LAYOUTS),
                            ((("layout", rng.choice(LAYOUTS))), ("building", rng.choice(BUILDINGS))))
                  for i in range(2500)]
    first = rules.allocate(candidates, flats)
    rng.shuffle(candidates)
    assert rules.allocate(candidates, flats).assigned == first.assigned
    assert len(first.assigned) == 500

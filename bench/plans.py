"""Client plans shared by several benchmarks (plans must be picklable: module-level classes)."""
from datetime import datetime, timedelta, timezone

from bench.loadgen import ListPlan, Request

FAR_FUTURE = datetime(2100, 1, 4, tzinfo=timezone.utc)  # a Monday; floor-only bookings live here


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def booking_request(path, token, slot, label="book"):
    resource_id, start, end = slot
    return Request("POST", path, headers=bearer(token),
                   json={"resource_id": resource_id, "start": start, "end": end}, label=label)


def booking_plans(path, tokens, slots_per_client, label="book"):
    """One ListPlan a client: client i books its own slots with its own token(s).

    tokens[i] is a token or a list of tokens used in turn (distinct residents, so per-resident
    quotas do not stop a long run)."""
    plans = []
    for client_tokens, slots in zip(tokens, slots_per_client):
        turn = client_tokens if isinstance(client_tokens, list) else [client_tokens]
        plans.append(ListPlan([booking_request(path, turn[n % len(turn)], slot, label)
                               for n, slot in enumerate(slots)], warmup_path="/healthz"))
    return plans


def synthetic_slots(resources_per_client, clients, per_client, *, base=FAR_FUTURE, minutes=30):
    """Distinct slots for each client that overlap no other: the k-th slot overall
    (k = n * clients + i) starts at base + k slots, on resource n % R of client i's list
    (resources_per_client[i]: the resources of client i's community)."""
    step = timedelta(minutes=minutes)
    result = []
    for i in range(clients):
        resources = resources_per_client[i]
        slots = []
        for n in range(per_client):
            start = base + step * (n * clients + i)
            slots.append((resources[n % len(resources)], start.isoformat(), (start + step).isoformat()))
        result.append(slots)
    return result

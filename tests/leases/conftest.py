"""The clock for the lease tests: 2027-01-05 09:00 in Shanghai."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_clock():
    from community.core import clock

    clock.freeze(NOW)
    yield
    clock.freeze(None)


def move_to(year, month, day, hour=9):
    from community.core import clock

    clock.freeze(datetime(year, month, day, hour, tzinfo=ZoneInfo("Asia/Shanghai")))

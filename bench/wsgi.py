"""The application under test: ``gunicorn bench.wsgi:app``.

The real app from create_app(), with APP_CONFIG's settings (default: "default") except:
  * rate limits off unless BENCH_RATELIMIT=1: the load comes from one loopback address and
    would otherwise meet the login limit (30/min per IP) within a second;
  * wrapped by bench.sqlcount.instrument (server time header; query count header when
    BENCH_COUNT_QUERIES=1).
"""
import os

from bench.sqlcount import instrument
from community import create_app
from config import CONFIGS

_base = CONFIGS[os.environ.get("APP_CONFIG", "default")]


class BenchConfig(_base):
    RATELIMIT_ENABLED = os.environ.get("BENCH_RATELIMIT") == "1"


flask_app = create_app(BenchConfig)
app = instrument(flask_app)

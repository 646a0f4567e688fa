"""``flask demo generate``: a large, realistic, deterministic data set for benchmarks (the "city").

Core runs the command and writes the rows; each domain contributes a step that plans its own rows
(``accounts/generate.py``, ``amenities/generate.py``), registered with ``@bulk_step`` and run in
order, with the command-line options it needs. So core knows no domain, and a new domain adds its
data to the city from its own package.

Writes with PostgreSQL COPY (psycopg 3 ``cursor.copy``) and, on SQLite (small sizes, tests), with
executemany in chunks; never one ORM object at a time. Ids are assigned by the steps (1..n), so the
target must be empty: the command refuses otherwise, and ``--force`` first empties every data table
of the database (TRUNCATE ... RESTART IDENTITY CASCADE). It refuses under the Production config.
``--seed`` makes every row the same on every run (a step may keep credentials random). No audit
entries: they record what people did, and nobody did this.
"""
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from community.core.clock import now
from community.core.registry import Registry, owner_of


class Refused(click.ClickException):
    pass


@dataclass(frozen=True)
class BulkStep:
    order: int
    name: str
    tables: tuple[str, ...]  # what the step writes: the target must not hold rows in them
    options: tuple[click.Option, ...]
    func: Callable[["BulkContext"], None]


_steps: Registry = Registry("bulk step")  # name -> BulkStep


def bulk_step(order: int, name: str, *, tables=(), options=()):
    """Register ``func(ctx: BulkContext)`` as the part of ``flask demo generate`` named ``name``,
    run after the steps of lower ``order``; ``options`` (click.Option) join the command's options
    and reach the step as ``ctx.options``."""

    def decorator(func):
        _steps.add(name, BulkStep(order, name, tuple(tables), tuple(options), func), owner=owner_of(func))
        return func

    return decorator


def steps() -> list[BulkStep]:
    return sorted(_steps.values(), key=lambda step: step.order)


@dataclass
class BulkContext:
    """What a step gets: the command's options, the start instant every row is dated from, the
    writer, a place to leave plans for later steps (``shared``) and work to do after the commit."""

    writer: "BulkWriter"
    options: dict
    at: datetime
    echo: Callable = print
    shared: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)
    after_commit: list = field(default_factory=list)

    def write(self, table, columns, rows, *, length=None):
        self.timings.append(self.writer.write(table, columns, rows, length=length, echo=self.echo))


class GenerateCommand(click.Command):
    """The command's options are its own plus those of every registered step, read when the
    command runs, so a step registered after this module was imported still brings its options."""

    def get_params(self, ctx):
        own = super().get_params(ctx)
        return [option for step in steps() for option in step.options] + own


@click.command("generate", cls=GenerateCommand)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--force", is_flag=True, help="empty every data table of the database first")
@with_appcontext
def generate_command(**options):
    """Generate a large data set (the benchmark "city") with bulk inserts."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise Refused("Refusing to generate data under the Production config.")
    summary = generate(options, echo=click.echo)
    click.echo("Done: " + ", ".join(f"{table} {rows:,} ({secs:.1f} s)" for table, rows, secs in summary))


def generate(options: dict, *, echo=print):
    """Run every step in one transaction; returns (table, rows, seconds) for each table written."""
    from community.extensions import db

    with db.engine.begin() as conn:
        writer = BulkWriter(conn, db.metadata)
        prepare_target(conn, writer, options.get("force", False))
        ctx = BulkContext(writer, options, now(), echo)
        for step in steps():
            step.func(ctx)
        writer.finish()
    for work in ctx.after_commit:
        work()
    return ctx.timings


def prepare_target(conn, writer, force):
    tables = [t for step in steps() for t in step.tables if writer.has_table(t)]
    busy = [t for t in tables if conn.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first()]
    if busy and not force:
        raise Refused(f"The database already has data ({', '.join(busy)}); generated rows take ids "
                      f"from 1. Use --force to empty every data table first.")
    if force:
        writer.empty_everything()


class BulkWriter:
    """COPY on PostgreSQL, chunked executemany elsewhere; ids are given, so sequences are reset."""

    CHUNK = 5000

    def __init__(self, conn, metadata):
        self.conn = conn
        self.metadata = metadata
        self.postgres = conn.dialect.name == "postgresql"
        self.written = []
        self._inspector = sa.inspect(conn)

    def has_table(self, name):
        return self._inspector.has_table(name)

    def empty_everything(self):
        names = [t for t in self._inspector.get_table_names() if t != "alembic_version"]
        if self.postgres:  # fail clearly rather than wait forever on someone's open transaction
            self.conn.execute(sa.text("SET LOCAL lock_timeout = '15s'"))
            self.conn.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            return
        for table in reversed(self._sorted_tables(names)):
            self.conn.execute(table.delete())

    def _sorted_tables(self, names):
        known = [t for t in self.metadata.sorted_tables if t.name in names]
        reflected = sa.MetaData()
        extra = [sa.Table(n, reflected, autoload_with=self.conn) for n in names
                 if n not in self.metadata.tables]
        return known + extra

    def write(self, table, columns, rows, *, length=None, echo=print):
        began = time.perf_counter()
        total = length if length is not None else len(rows)
        label = f"{table:<18}"
        count = 0
        with click.progressbar(length=max(total, 1), label=label, show_pos=True) as bar:
            if self.postgres:
                count = self._copy(table, columns, rows, bar)
            else:
                count = self._insert(table, columns, rows, bar)
            bar.update(max(0, total - bar.pos))
        self.written.append(table)
        return table, count, time.perf_counter() - began

    def _copy(self, table, columns, rows, bar):
        cursor = self.conn.connection.driver_connection.cursor()
        count, json_columns = 0, None
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                if json_columns is None:  # JSON values go as text; found from the first row
                    json_columns = [i for i, v in enumerate(row) if isinstance(v, (dict, list))]
                if json_columns:
                    row = list(row)
                    for i in json_columns:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                count += 1
                if count % self.CHUNK == 0:
                    bar.update(self.CHUNK)
        return count

    def _insert(self, table, columns, rows, bar):
        target = self.metadata.tables.get(table)
        if target is None:
            target = sa.Table(table, sa.MetaData(), autoload_with=self.conn)
        chunk, count = [], 0
        for row in rows:
            chunk.append(dict(zip(columns, row)))
            if len(chunk) == self.CHUNK:
                self.conn.execute(target.insert(), chunk)
                count += len(chunk)
                bar.update(len(chunk))
                chunk = []
        if chunk:
            self.conn.execute(target.insert(), chunk)
            count += len(chunk)
        return count

    def finish(self):
        if not self.postgres:
            return
        for table in self.written:
            self.conn.execute(sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
        for table in self.written:  # planner statistics for the new rows (ANALYZE runs in-transaction)
            self.conn.execute(sa.text(f"ANALYZE {table}"))

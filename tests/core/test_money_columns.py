"""core.money.money_columns: "<prefix>_fen + currency + CHECK <prefix>_fen >= 0", enforced by the
database itself (SQLite and PostgreSQL), on the amenity tables that use it and on a new table."""
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.schema import CreateTable

from community.core.db import NAMING_CONVENTION
from community.core.money import Money, money_columns


class ScratchBase(DeclarativeBase):
    """Not db.Model: this table is made and dropped by the test, never by a migration."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Deposit(money_columns("deposit", currency_column="deposit_currency"), ScratchBase):
    __tablename__ = "scratch_money_deposits"

    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def scratch_table(db):
    ScratchBase.metadata.create_all(db.engine)
    try:
        yield Deposit.__table__
    finally:
        db.session.rollback()
        ScratchBase.metadata.drop_all(db.engine)


def test_the_mixin_declares_columns_defaults_constraint_and_property():
    table = Deposit.__table__
    assert table.c.deposit_fen.nullable is False and table.c.deposit_currency.type.length == 3
    assert table.c.deposit_fen.server_default.arg.text == "0"
    assert table.c.deposit_currency.server_default.arg == "CNY"
    checks = [c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)]
    assert checks == ["ck_scratch_money_deposits_deposit_not_negative"]  # table-level: autogenerate renders it
    ddl = str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert "CONSTRAINT ck_scratch_money_deposits_deposit_not_negative CHECK (deposit_fen >= 0)" in ddl
    deposit = Deposit(deposit_fen=150_000, deposit_currency="CNY")
    assert deposit.deposit == Money(150_000, "CNY")


def test_the_database_refuses_a_negative_amount_and_fills_the_defaults(db, scratch_table):
    with db.engine.begin() as conn:
        conn.execute(scratch_table.insert().values(id=1))
        row = conn.execute(sa.select(scratch_table)).one()
    assert (row.deposit_fen, row.deposit_currency) == (0, "CNY")  # server defaults, as COPY relies on
    with pytest.raises(sa.exc.IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(scratch_table.insert().values(id=2, deposit_fen=-1))
    with db.engine.begin() as conn:
        conn.execute(scratch_table.insert().values(id=3, deposit_fen=0))  # zero is allowed


@pytest.mark.parametrize("model_name", ["Resource", "Booking"])
def test_amenity_fees_use_it_and_the_migrated_check_holds(db, room, resident, book, model_name):
    from community.amenities import models

    model = getattr(models, model_name)
    book(resident, room, room_start(room))
    assert any(c.name == f"ck_{model.__tablename__}_fee_not_negative"
               for c in model.__table__.constraints if isinstance(c, sa.CheckConstraint))
    row = db.session.scalars(sa.select(model)).first()
    assert row.fee == Money(0, "CNY")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(model).values(fee_fen=-100))
        db.session.flush()
    db.session.rollback()


def room_start(room):
    """Tomorrow at 10:00 in the room's community: bookable whatever the real clock says."""
    from datetime import datetime, time, timedelta

    from community.core.clock import now

    day = now().astimezone(room.tz).date() + timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=room.tz)

"""The alliance's demo data: three approved merchants, a pending application, and the café's free
coffee that resident1 can claim and merchant@demo.test can redeem."""
import sqlalchemy as sa

from community.accounts.models import User
from community.perks import operations as ops
from community.perks import queries
from community.perks.models import Campaign, Merchant


def test_demo_alliance(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    statuses = sorted(db.session.scalars(sa.select(Merchant.status)))
    assert statuses == ["approved", "approved", "approved", "pending"]
    resident = db.session.scalar(sa.select(User).where(User.email == "resident1@demo.test"))
    staff = db.session.scalar(sa.select(User).where(User.email == "merchant@demo.test"))
    coffee = db.session.scalar(sa.select(Campaign).where(Campaign.title == "免费咖啡体验券"))
    assert coffee.id in {c.id for c in db.session.scalars(queries.campaigns_for(resident))}
    voucher = ops.claim(resident, coffee)
    assert ops.redeem(voucher.code, actor=staff).status == "redeemed"
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0 and db.session.scalar(sa.select(sa.func.count(Merchant.id))) == 4

"""Voucher jobs, run by ``flask jobs run-due``; both idempotent."""
from datetime import timedelta

from community.core.jobs import job
from community.perks.operations.vouchers import expire_vouchers, remind_expiring


@job("perks-expire-vouchers", every=timedelta(hours=1))
def expire_vouchers_job():
    """Active vouchers past their last valid day become expired."""
    return {"expired": expire_vouchers()}


@job("perks-remind-expiring", every=timedelta(hours=6))
def remind_expiring_job():
    """Residents are told, once, two days before a voucher's last valid day."""
    return {"reminded": remind_expiring()}

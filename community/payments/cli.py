"""``flask payments check-ledger``: exits 1 when a transaction does not balance or a balance does
not match its payable (run it from cron after the nightly backup; docs/operations.md)."""
import click
from flask.cli import AppGroup

cli = AppGroup("payments", help="Payments: ledger checks.")


@cli.command("check-ledger")
def check_ledger():
    from community.payments import ledger

    report = ledger.check()
    for problem in report.problems:
        click.echo(f"PROBLEM {problem}", err=True)
    click.echo(f"{report.transactions} transactions, {report.payables} payables checked, "
               f"{len(report.problems)} problems")
    if not report.ok:
        raise SystemExit(1)

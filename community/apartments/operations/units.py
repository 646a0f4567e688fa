"""Units: create, edit, status, and the all-or-nothing CSV import of a building's units."""
import csv
import io

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.models import Building
from community.apartments.errors import ApartmentRuleViolation, ImportRejected
from community.apartments.models import LAYOUTS, ORIENTATIONS, UNIT_STATUSES, RoundUnit, Unit
from community.apartments.operations.rounds import rules_changed
from community.core import audit
from community.core.db import is_unique_violation, savepoint
from community.core.errors import Conflict
from community.core.money import parse_yuan
from community.extensions import db

UNIT_FIELDS = ("number", "floor", "layout", "area_centi_m2", "orientation", "furnished", "accessible",
               "rent_fen", "deposit_fen")
CSV_COLUMNS = ("number", "floor", "layout", "area_m2", "orientation", "furnished", "accessible", "rent_yuan",
               "deposit_yuan")
MAX_IMPORT_ROWS = 5000


def _check(building: Building, fields: dict) -> None:
    number = (fields.get("number") or "").strip()
    if not number or len(number) > 20:
        raise ApartmentRuleViolation(_l("A unit number has 1 to 20 characters."), code="invalid_number")
    if not 1 <= fields["floor"] <= building.floors:
        raise ApartmentRuleViolation(_l("Floor must be between 1 and %(floors)s.", floors=building.floors),
                                     code="invalid_floor")
    if fields["layout"] not in LAYOUTS:
        raise ApartmentRuleViolation(_l("Unknown layout."), code="invalid_layout")
    if fields["orientation"] not in ORIENTATIONS:
        raise ApartmentRuleViolation(_l("Unknown orientation."), code="invalid_orientation")
    if not 0 < fields["area_centi_m2"] <= 100_000:
        raise ApartmentRuleViolation(_l("Area must be between 0.01 and 1000 m²."), code="invalid_area")
    if not (0 <= fields["rent_fen"] <= 10_000_000 and 0 <= fields["deposit_fen"] <= 10_000_000):
        raise ApartmentRuleViolation(_l("Rent and deposit must be between 0 and 100,000 yuan."),
                                     code="invalid_amount")


def _unit_exists() -> Conflict:
    return Conflict(_l("This building already has a unit with that number."), code="unit_exists")


def create_unit(building: Building, *, actor, **fields) -> Unit:
    fields = {key: fields[key] for key in UNIT_FIELDS}
    fields["number"] = fields["number"].strip()
    _check(building, fields)
    unit = Unit(community_id=building.community_id, building_id=building.id, **fields)
    try:
        with savepoint(db.session):
            db.session.add(unit)
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if is_unique_violation(error):
            raise _unit_exists() from None
        raise
    audit.record(actor, "apartment.unit_created", unit, number=unit.number, building_id=building.id)
    return unit


def update_unit(unit: Unit, *, actor, **fields) -> Unit:
    fields = {key: fields[key] for key in UNIT_FIELDS}
    fields["number"] = fields["number"].strip()
    _check(unit.building, fields)
    changed = sorted(key for key, value in fields.items() if getattr(unit, key) != value)
    for key, value in fields.items():
        setattr(unit, key, value)
    try:
        with savepoint(db.session):
            db.session.flush()
    except sa.exc.IntegrityError as error:
        if is_unique_violation(error):
            raise _unit_exists() from None
        raise
    if "layout" in changed:
        rules_changed(set(db.session.scalars(sa.select(RoundUnit.round_id).where(RoundUnit.unit_id == unit.id))))
    if changed:
        audit.record(actor, "apartment.unit_updated", unit, number=unit.number, fields=changed)
    return unit


def set_unit_status(unit: Unit, status: str, *, actor) -> Unit:
    if status not in UNIT_STATUSES:
        raise ApartmentRuleViolation(_l("Unknown unit status."), code="invalid_status")
    previous = unit.status
    if previous != status:
        unit.status = status
        db.session.flush()
        audit.record(actor, "apartment.unit_status", unit, number=unit.number, status=status, previous=previous)
    return unit


# -- CSV import -------------------------------------------------------------------------------

def _yes(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "yes", "true", "y", "是"):
        return True
    if value in ("", "0", "no", "false", "n", "否"):
        return False
    raise ValueError


def _area(text: str) -> int:
    whole, _, frac = text.strip().partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")


class _RowError(ValueError):
    """A cell that does not say what its column needs; the message is shown with the line."""


def _cell(row: dict, name: str, parse, message, default=None):
    value = (row.get(name) or "").strip()
    if not value:
        if default is None:
            raise _RowError(str(_l("“%(column)s” is empty.", column=name)))
        value = default
    try:
        return parse(value)
    except ValueError:
        raise _RowError(str(message)) from None


def _parse_row(row: dict) -> dict:
    """One CSV row as unit fields; _RowError with the sentence to show."""
    return {
        "number": _cell(row, "number", str, ""),
        "floor": _cell(row, "floor", int, _l("Floor is not a whole number.")),
        "layout": _cell(row, "layout", str, ""),
        "area_centi_m2": _cell(row, "area_m2", _area, _l("Area is not a number of m² with at most 2 decimals.")),
        "orientation": _cell(row, "orientation", str, "", default="south"),
        "furnished": _cell(row, "furnished", _yes, _l("Furnished and accessible are yes or no."), default="no"),
        "accessible": _cell(row, "accessible", _yes, _l("Furnished and accessible are yes or no."), default="no"),
        "rent_fen": _cell(row, "rent_yuan", parse_yuan, _l("Rent and deposit are amounts in yuan.")),
        "deposit_fen": _cell(row, "deposit_yuan", parse_yuan, _l("Rent and deposit are amounts in yuan."),
                             default="0"),
    }


def import_units(building: Building, data: bytes, *, actor) -> list[Unit]:
    """Units from a CSV file (UTF-8, with or without BOM; a header row naming CSV_COLUMNS). Every bad
    row is reported with its line number and nothing is saved when any row is bad."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(errors=[{"line": 1, "message": str(_l("The file is not UTF-8 text."))}]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in ("number", "floor", "layout", "area_m2", "rent_yuan") if name not in header]
    if missing:
        raise ImportRejected(errors=[{"line": 1, "message": str(_l("Missing columns: %(columns)s",
                                                                    columns=", ".join(missing)))}])
    reader.fieldnames = header
    existing = set(db.session.scalars(sa.select(Unit.number).where(Unit.building_id == building.id)))
    seen: dict[str, int] = {}
    errors, rows = [], []
    for row in reader:
        line = reader.line_num
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            errors.append({"line": line, "message": str(_l("At most %(n)s rows a file.", n=MAX_IMPORT_ROWS))})
            break
        if None in row:
            errors.append({"line": line, "message": str(_l("The row has more cells than the header."))})
            continue
        try:
            fields = _parse_row(row)
            _check(building, fields)
        except (_RowError, ApartmentRuleViolation) as error:
            errors.append({"line": line, "message": str(getattr(error, "message", error))})
            continue
        number = fields["number"]
        if number in existing:
            errors.append({"line": line, "message": str(_l("Unit %(number)s already exists in this building.",
                                                            number=number))})
        elif number in seen:
            errors.append({"line": line, "message": str(_l("Unit %(number)s is also on line %(other)s.",
                                                            number=number, other=seen[number]))})
        else:
            seen[number] = line
            rows.append(fields)
    if not rows and not errors:
        errors.append({"line": 1, "message": str(_l("The file has no units."))})
    if errors:
        raise ImportRejected(errors=errors)
    units = [Unit(community_id=building.community_id, building_id=building.id, **fields) for fields in rows]
    try:
        with savepoint(db.session):
            db.session.add_all(units)
            db.session.flush()
    except sa.exc.IntegrityError as error:  # another import added one of the numbers meanwhile
        if is_unique_violation(error):
            raise _unit_exists() from None
        raise
    audit.record(actor, "apartment.units_imported", building, object_type="accounts.Building",
                 community_id=building.community_id, count=len(units))
    return units

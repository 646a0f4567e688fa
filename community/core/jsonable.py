"""What goes into a JSON column (audit details, notice parameters): instants and dates as ISO 8601,
containers walked, anything else as its text."""
from datetime import date


def jsonable(value):
    if isinstance(value, date):  # datetime too: both have isoformat()
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return str(value)

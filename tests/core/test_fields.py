"""JSONBoolean: only JSON true and false load; what marshmallow's Boolean would guess at is refused."""
import pytest
from marshmallow import Schema, ValidationError

from community.core.fields import JSONBoolean


class Args(Schema):
    confirm = JSONBoolean(load_default=True)


@pytest.mark.parametrize("value", [True, False])
def test_true_and_false_load(value):
    assert Args().load({"confirm": value}) == {"confirm": value}


@pytest.mark.parametrize("value", [0, 1, 0.0, "true", "false", "yes", "off", None])
def test_anything_else_is_refused(value):
    with pytest.raises(ValidationError) as error:
        Args().load({"confirm": value})
    assert "confirm" in error.value.messages


def test_missing_takes_the_default():
    assert Args().load({}) == {"confirm": True}

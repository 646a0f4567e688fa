"""Voucher codes: random, Crockford base32 in groups, a check character that catches typos."""
import pytest

from community.perks import codes


def test_generated_codes_are_well_formed_and_distinct():
    made = {codes.generate() for _ in range(2000)}
    assert len(made) == 2000
    assert all(len(code) == 16 and codes.is_well_formed(code) for code in made)
    assert all(set(code[:-1]) <= set(codes.ALPHABET) for code in made)


def test_every_single_character_typo_is_caught():
    code = codes.generate()
    for position in range(len(code)):
        alphabet = codes.ALPHABET if position < len(code) - 1 else codes.CHECK_ALPHABET
        for symbol in alphabet:
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1:]
                assert not codes.is_well_formed(typo), typo


def test_swapping_two_neighbours_is_caught():
    code = "0123456789ABCDE"
    code += codes.check_symbol(code)
    for i in range(len(code) - 2):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert not codes.is_well_formed(swapped)


@pytest.mark.parametrize("typed", ["{display}", "{lower}", "{plain}", " {display} ", "{spaced}"])
def test_code_is_read_with_or_without_dashes_in_either_case(typed):
    code = codes.generate()
    shown = codes.display(code)
    text = typed.format(display=shown, lower=shown.lower(), plain=code, spaced=shown.replace("-", " "))
    assert codes.normalise(text) == code


def test_display_groups_of_four():
    assert codes.display("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"


def test_letters_that_look_like_digits_are_read_as_digits():
    body = "0123456789ABCDE"
    code = body + codes.check_symbol(body)
    assert codes.normalise("O1Z3" .replace("Z", "2") + code[4:]) == code
    assert codes.normalise("0I23" + code[4:]) == code


@pytest.mark.parametrize("bad", ["", "ABC", "U" * 16, "!" * 16, "A" * 40])
def test_impossible_codes_normalise_to_none(bad):
    assert codes.normalise(bad) is None

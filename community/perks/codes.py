"""Voucher codes: 15 cryptographically random Crockford base32 symbols plus one check symbol
(the value mod 37, Crockford's check alphabet), shown as four groups of four ("7K3M-Q9XD-2HPA-W4R*").

75 random bits: nobody guesses or walks through them, and lookups are rate-limited on top. The
check symbol catches every single-symbol typo and every swap of two neighbours (37 is prime), so a
mistyped code is answered "check the code" without a database lookup. Reading is forgiving, as
Crockford intends: either case, dashes and spaces ignored, O read as 0, I and L as 1."""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
RANDOM_LENGTH = 15
LENGTH = RANDOM_LENGTH + 1
GROUP = 4
_READ_AS = {"O": "0", "I": "1", "L": "1"}
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}


def check_symbol(body: str) -> str:
    value = 0
    for symbol in body:
        value = value * 32 + _VALUE[symbol]
    return CHECK_ALPHABET[value % 37]


def generate() -> str:
    """A new code, normalised (no dashes): 15 random symbols and the check symbol."""
    value = secrets.randbits(5 * RANDOM_LENGTH)  # 75 bits from the OS's CSPRNG, 5 bits a symbol
    body = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(RANDOM_LENGTH))
    return body + check_symbol(body)


def normalise(text: str) -> str | None:
    """The code as stored, or None when ``text`` cannot be a code (wrong length, a symbol outside
    the alphabet). Does not test the check symbol: see ``is_well_formed``."""
    if not isinstance(text, str):
        return None
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned[:-1]) + cleaned[-1:]
    if len(cleaned) != LENGTH or any(ch not in _VALUE for ch in cleaned[:-1]):
        return None
    if cleaned[-1] not in CHECK_ALPHABET:
        cleaned = cleaned[:-1] + _READ_AS.get(cleaned[-1], cleaned[-1])
        if cleaned[-1] not in CHECK_ALPHABET:
            return None
    return cleaned


def is_well_formed(code: str | None) -> bool:
    """A normalised code whose check symbol matches its body."""
    return bool(code) and len(code) == LENGTH and check_symbol(code[:-1]) == code[-1]


def display(code: str) -> str:
    """In groups of four, for people: "7K3M-Q9XD-2HPA-W4R*"."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))

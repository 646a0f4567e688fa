"""Money is integer fen (1/100 CNY) with the currency beside it; never floats."""
from dataclasses import dataclass

CURRENCY = "CNY"


@dataclass(frozen=True)
class Money:
    fen: int
    currency: str = CURRENCY

    def __post_init__(self):
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError("money is kept as whole fen")

    def __add__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.fen + other.fen, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same_currency(other)
        return Money(self.fen - other.fen, self.currency)

    def _same_currency(self, other):
        if other.currency != self.currency:
            raise ValueError("cannot mix currencies")

    def as_dict(self) -> dict:
        return {"amount": self.fen, "currency": self.currency}

    def display(self) -> str:
        sign = "-" if self.fen < 0 else ""
        yuan, fen = divmod(abs(self.fen), 100)
        symbol = "¥" if self.currency == CURRENCY else self.currency + " "
        return f"{sign}{symbol}{yuan:,}.{fen:02d}"


def parse_yuan(text: str) -> int:
    """Turn what an operator types ("12.5", "¥1,200") into fen, refusing more than 2 decimals."""
    cleaned = text.strip().replace("¥", "").replace(",", "")
    if not cleaned:
        raise ValueError("empty amount")
    negative = cleaned.startswith("-")
    whole, _, frac = cleaned.lstrip("-").partition(".")
    if not whole.isdigit() and whole != "" or (frac and not frac.isdigit()) or len(frac) > 2:
        raise ValueError(f"not an amount: {text!r}")
    fen = int(whole or "0") * 100 + int(frac.ljust(2, "0") or "0")
    return -fen if negative else fen

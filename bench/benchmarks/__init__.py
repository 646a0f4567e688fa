"""One module a benchmark; ``python -m bench list`` finds them (see bench/README.md)."""

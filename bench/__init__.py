"""Benchmarks: ``python -m bench list`` · ``python -m bench <name> [options]``. See bench/README.md."""

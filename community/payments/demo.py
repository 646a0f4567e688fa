"""Demo data of payments: filled in by the demo loader below (see community/core/demo.py)."""

"""The tickets part of ``flask demo generate`` (core/bulk.py); filled in below."""

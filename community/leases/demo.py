"""Demo leases (filled below)."""

"""Shared building blocks every domain uses: db base, clock, money, errors, permissions, audit."""

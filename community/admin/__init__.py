"""Operator pages: communities, buildings, users and roles, talent profiles, audit log."""

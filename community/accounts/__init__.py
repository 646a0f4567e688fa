"""Users, roles, communities and buildings, talent profiles, API tokens."""

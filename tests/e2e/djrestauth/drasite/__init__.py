"""A small Django project that uses dj-rest-auth in its JWT mode, for tests/e2e."""

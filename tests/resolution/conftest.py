"""Bob's and Carol's portfolios (tests/web/conftest.py) for the resolution's page tests."""

from tests.web.conftest import bobs, carols  # noqa: F401  (fixtures)

"""The browser tests reuse the web tests' portfolios."""

from tests.web.conftest import bobs, carols

__all__ = ["bobs", "carols"]

"""Shared fixtures of the resolution tests: the dispute reasons (a transactional
test's flush empties the table), Bob's and Carol's portfolios (tests/web/conftest.py)."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps

from encaisse.resolution.dispute_reasons import reasons_install
from encaisse.resolution.models import DisputeReason
from tests.web.conftest import bobs, carols  # noqa: F401  (fixtures)


@pytest.fixture
def reasons(db: None) -> dict[str, DisputeReason]:
    reasons_install(django_apps)
    return {reason.code: reason for reason in DisputeReason.objects.all()}

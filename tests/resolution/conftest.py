"""Dispute reasons for every resolution test (a transactional test's flush empties the table)."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps

from encaisse.resolution.dispute_reasons import reasons_install
from encaisse.resolution.models import DisputeReason


@pytest.fixture
def reasons(db: None) -> dict[str, DisputeReason]:
    reasons_install(django_apps)
    return {reason.code: reason for reason in DisputeReason.objects.all()}

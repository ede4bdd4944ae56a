"""Portfolio scoping: who sees which customers (SPEC §1.5)."""

from __future__ import annotations

from typing import Any

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.ledger.models import Customer
from encaisse.ledger.selectors import customers_visible_to, invoices_visible_to
from tests.conftest import make_invoice


def test_finance_and_admin_see_every_customer(
    everyone: dict[str, User], bobs_customer: Customer, carols_customer: Customer
) -> None:
    for name in ("ada", "alice"):
        assert set(customers_visible_to(everyone[name])) == {bobs_customer, carols_customer}


def test_a_rep_sees_only_his_portfolio(
    everyone: dict[str, User], bobs_customer: Customer, carols_customer: Customer
) -> None:
    assert list(customers_visible_to(everyone["bob"])) == [bobs_customer]
    assert list(customers_visible_to(everyone["carol"])) == [carols_customer]


def test_a_manager_sees_the_team_he_leads_only(
    everyone: dict[str, User], bobs_customer: Customer, carols_customer: Customer
) -> None:
    assert list(customers_visible_to(everyone["dave"])) == [bobs_customer]


def test_invoices_follow_the_customer_scope(
    everyone: dict[str, User], bobs_customer: Customer, carols_customer: Customer
) -> None:
    bobs = make_invoice(bobs_customer)
    make_invoice(carols_customer)
    assert list(invoices_visible_to(everyone["bob"])) == [bobs]


def test_an_inactive_user_sees_nothing(everyone: dict[str, User], bobs_customer: Customer) -> None:
    bob = everyone["bob"]
    bob.is_active = False
    bob.save()
    assert not customers_visible_to(bob).exists()


def test_the_team_is_looked_up_once_per_user_object_and_a_new_one_sees_a_change(
    dave: User, bob: User, carol: User, django_assert_num_queries: Any
) -> None:
    assert portfolio_owner_ids(dave) == {dave.pk, bob.pk}  # one lookup
    with django_assert_num_queries(0):
        assert portfolio_owner_ids(dave) == {dave.pk, bob.pk}
    carol.team = bob.team  # carol joins dave's team: seen from the next request
    carol.save()
    fresh = User.objects.get(pk=dave.pk)
    assert portfolio_owner_ids(fresh) == {dave.pk, bob.pk, carol.pk}

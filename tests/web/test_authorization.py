"""Every route of the project, for every role (SPEC §1.5).

The walker reads the URL resolver, so a route added anywhere (imports pages
included) is tested without anyone remembering to: a route that needs
arguments must have an entry in SAMPLES, or this test fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from encaisse.accounts.models import User
from encaisse.dunning.models import DunningPlan, DunningStep, MessageTemplate
from encaisse.ledger.models import Allocation, ImportBatch, ImportKind, ImportStatus
from encaisse.resolution.dispute_reasons import reasons_install
from encaisse.resolution.models import Dispute, DisputeReason, PaymentPlan
from encaisse.resolution.services.dispute_files import dispute_attachment_add
from encaisse.resolution.services.disputes import Disputed, dispute_open
from encaisse.resolution.services.payment_plans import plan_propose
from encaisse.resolution.services.portal import portal_link_create
from encaisse.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.resolution.samples import Samples, resolution_samples
from tests.web.conftest import TODAY, Portfolio
from tests.web.dunning_samples import Messages, messages_for


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    arguments: tuple[str, ...]


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's own admin views: see test_admin_is_for_staff_only
            if pattern.namespace == "api-v1":
                continue  # the REST API has its own walker: tests/api/test_authorization.py
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name == "api-unknown-path":
                continue  # answers 404 to everyone: tests/api/test_auth.py
            yield Route(
                name=f"{namespace}{pattern.name or ''}",
                path=prefix + str(pattern.pattern),
                arguments=tuple(pattern.pattern.regex.groupindex),
            )


def project_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


@dataclass
class World:
    """What a sample needs: each sales rep's objects, plus shared ones."""

    portfolios: dict[str, Portfolio]
    import_batch: ImportBatch
    messages: dict[str, Messages] = field(default_factory=dict)
    plan: DunningPlan | None = None
    step: DunningStep | None = None
    template: MessageTemplate | None = None
    allocation: Allocation | None = None
    webhook: WebhookEndpoint | None = None
    webhook_delivery: WebhookDelivery | None = None
    portal_token: str = "0" * 43
    portal_invoice: str = "none"
    disputes: dict[str, Dispute] = field(default_factory=dict)
    resolution: dict[str, Samples] = field(default_factory=dict)
    payment_plans: dict[str, PaymentPlan] = field(default_factory=dict)


# Arguments per route name. `owner` is "bob" or "carol" for routes that show one
# portfolio's object; shared routes ignore it. A route missing here fails.
Sample = Callable[[World, str], dict[str, Any]]
OWNED_SAMPLES: dict[str, Sample] = {
    "customer": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "invoice": lambda w, owner: {"pk": w.portfolios[owner].invoice.pk},
    "customer_remind": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "customer_dunning_plan": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "dunning_message": lambda w, owner: {"pk": w.messages[owner].sent.pk},
    "dunning_message_pdf": lambda w, owner: {"pk": w.messages[owner].sent.pk},
    "dunning_message_approve": lambda w, owner: {"pk": w.messages[owner].to_review.pk},
    "dunning_message_skip": lambda w, owner: {"pk": w.messages[owner].to_review.pk},
    "dunning_message_retry": lambda w, owner: {"pk": w.messages[owner].failed.pk},
    "portal_link_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "portal_links_revoke": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "dispute": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_assign": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_progress": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_resolve": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_reject": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_attach": lambda w, owner: {"public_id": w.disputes[owner].public_id},
    "dispute_attachment": lambda w, owner: {
        "public_id": w.disputes[owner].attachments.get().public_id
    },
    "dispute_new_customer": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "dispute_new_invoice": lambda w, owner: {"pk": w.portfolios[owner].invoice.pk},
    # POST-only actions of the promise, extension and hold panels (their POSTs by
    # role: tests/resolution/test_promises_web.py).
    "customer_promise_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "customer_hold_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "invoice_extension_new": lambda w, owner: {"pk": w.portfolios[owner].invoice.pk},
    "invoice_hold_new": lambda w, owner: {"pk": w.portfolios[owner].invoice.pk},
    "promise_cancel": lambda w, owner: {"pk": 1},
    "hold_release": lambda w, owner: {"pk": 1},
    "extension_approve": lambda w, owner: {"pk": 1},
    "extension_refuse": lambda w, owner: {"pk": 1},
    "handover_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "write_off_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "handover": lambda w, owner: {"public_id": w.resolution[owner].handover.public_id},
    "handover_case_file": lambda w, owner: {"public_id": w.resolution[owner].handover.public_id},
    "handover_recall": lambda w, owner: {"public_id": w.resolution[owner].handover.public_id},
    "handover_close": lambda w, owner: {"public_id": w.resolution[owner].handover.public_id},
    "write_off": lambda w, owner: {"public_id": w.resolution[owner].write_off.public_id},
    "write_off_approve": lambda w, owner: {"public_id": w.resolution[owner].write_off.public_id},
    "write_off_reject": lambda w, owner: {"public_id": w.resolution[owner].write_off.public_id},
    "write_off_reverse": lambda w, owner: {"public_id": w.resolution[owner].write_off.public_id},
    "payment_plan_new": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "payment_plan_preview": lambda w, owner: {"pk": w.portfolios[owner].customer.pk},
    "payment_plan": lambda w, owner: {"public_id": w.payment_plans[owner].public_id},
    "payment_plan_approve": lambda w, owner: {"public_id": w.payment_plans[owner].public_id},
    "payment_plan_refuse": lambda w, owner: {"public_id": w.payment_plans[owner].public_id},
    "payment_plan_cancel": lambda w, owner: {"public_id": w.payment_plans[owner].public_id},
}
SHARED_SAMPLES: dict[str, Sample] = {
    "password_reset_confirm": lambda w, owner: {"uidb64": "MQ", "token": "set-password"},
    "import_detail": lambda w, owner: {"pk": w.import_batch.pk},
    "import_template": lambda w, owner: {"kind": "invoices"},
    "dunning_plan": lambda w, owner: {"pk": _pk(w.plan)},
    "dunning_plan_delete": lambda w, owner: {"pk": _pk(w.plan)},
    "dunning_step_new": lambda w, owner: {"pk": _pk(w.plan)},
    "dunning_step": lambda w, owner: {"pk": _pk(w.step)},
    "dunning_step_delete": lambda w, owner: {"pk": _pk(w.step)},
    "dunning_template": lambda w, owner: {"pk": _pk(w.template)},
    "dunning_template_preview": lambda w, owner: {"pk": _pk(w.template)},
    "cash_apply": lambda w, owner: {"kind": "payment", "pk": _payment(w, owner)},
    "cash_split": lambda w, owner: {"kind": "payment", "pk": _payment(w, owner)},
    "cash_undo": lambda w, owner: {"pk": _pk(w.allocation)},
    "account_token_revoke": lambda w, owner: {"prefix": "0000000000"},
    "webhook_endpoint": lambda w, owner: {"pk": _pk(w.webhook)},
    "webhook_endpoint_rotate": lambda w, owner: {"pk": _pk(w.webhook)},
    "webhook_endpoint_toggle": lambda w, owner: {"pk": _pk(w.webhook)},
    "webhook_endpoint_test": lambda w, owner: {"pk": _pk(w.webhook)},
    "webhook_endpoint_delete": lambda w, owner: {"pk": _pk(w.webhook)},
    "webhook_delivery_redeliver": lambda w, owner: {"pk": _pk(w.webhook_delivery)},
    "portal": lambda w, owner: {"token": w.portal_token},
    "portal_statement": lambda w, owner: {"token": w.portal_token},
    "portal_invoice": lambda w, owner: {"token": w.portal_token, "key": w.portal_invoice},
    "portal_invoice_original": lambda w, owner: {"token": w.portal_token, "key": w.portal_invoice},
    "portal_action": lambda w, owner: {"token": w.portal_token, "key": "contact"},
    "dispute_reason": lambda w, owner: {"pk": _pk(DisputeReason.objects.order_by("pk").first())},
    "agency": lambda w, owner: {"pk": w.resolution["bob"].agency.pk if w.resolution else 1},
}


def _pk(obj: Any) -> int:
    return int(obj.pk) if obj is not None else 1


def _payment(world: World, owner: str) -> int:
    portfolio = world.portfolios.get(owner)
    return _pk(portfolio.payment if portfolio is not None else None)


# POST-only actions on one portfolio's message: GET is 405; finance and admins
# act (redirect back), whoever else sees the message gets 403, the others 404.
OWNED_ACTIONS = {
    "dunning_message_approve",
    "dunning_message_skip",
    "dunning_message_retry",
    "portal_link_new",
    "portal_links_revoke",
    "handover_recall",
    "handover_close",
    "write_off_approve",
    "write_off_reject",
    "payment_plan_approve",
    "payment_plan_refuse",
    "payment_plan_cancel",
}
# POST-only actions for administrators alone (reversing a write-off): finance gets 403 too.
ADMIN_ACTIONS = {"write_off_reverse"}

# The debtor portal: the link's token is the authorization, whoever is signed in
# (nobody, or any role), so each answers the same to all; its content is the
# token's customer's (tests/resolution/test_portal_security.py walks the others).
PORTAL = {
    "portal": 200,
    "portal_statement": 200,
    "portal_invoice": 200,
    "portal_invoice_original": 404,  # the sample invoice has no PDF of its own
    "portal_action": 200,
}
# Pages about one portfolio's customer that only some of its viewers may use
# (the others who see the customer get 403): "send a reminder now" is for
# finance, admins and the customer's own account manager, not for managers.
OWNED_RESTRICTED: dict[str, Callable[[str, str], bool]] = {
    "customer_remind": lambda role, owner: role in FINANCE or role == owner,
    # Finance and the account manager open disputes; managers read.
    "dispute_new_customer": lambda role, owner: role in FINANCE or role == owner,
    "dispute_new_invoice": lambda role, owner: role in FINANCE or role == owner,
    "handover_new": lambda role, owner: role in {"ada", "alice"},  # finance and admins
    "write_off_new": lambda role, owner: role in {"ada", "alice"},
    # Instalment plans: finance and the customer's rep propose; the manager reads.
    "payment_plan_new": lambda role, owner: role in FINANCE or role == owner,
    "payment_plan_preview": lambda role, owner: role in FINANCE or role == owner,
}

# POST-only actions on one portfolio's dispute (GET is 405). The walker posts an
# empty form: an allowed caller gets the page back with its errors (200) or a
# redirect (302); whoever sees the dispute without the right gets 403.
DISPUTE_ACTIONS: dict[str, Callable[[str, str], bool]] = {
    "dispute_assign": lambda role, owner: role in FINANCE,
    "dispute_resolve": lambda role, owner: role in FINANCE,
    "dispute_reject": lambda role, owner: role in FINANCE,
    "dispute_progress": lambda role, owner: role in FINANCE or role == owner,
    "dispute_attach": lambda role, owner: role in FINANCE or role == owner,
}

# POST-only actions on the signed-in user's own objects: GET is 405 for everyone signed in.
POST_ONLY = {
    "account_token_revoke",
    "customer_promise_new",
    "customer_hold_new",
    "invoice_extension_new",
    "invoice_hold_new",
    "promise_cancel",
    "hold_release",
    "extension_approve",
    "extension_refuse",
}

# Lists that can be narrowed to one customer: another rep's customer is a 404.
CUSTOMER_FILTERED = {"invoices", "invoices_export", "payments", "payments_export", "disputes"}

PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
}
FINANCE: set[str] = {"ada", "alice"}
SEES = {
    "ada": {"bob", "carol"},
    "alice": {"bob", "carol"},
    "bob": {"bob"},
    "carol": {"carol"},
    "dave": {"bob"},
}
# Text that only appears on pages showing that rep's objects.
MARKERS = {
    "bob": ("Boulangerie Bob", "BOB-OVERDUE"),
    "carol": ("Carrosserie Carol", "CAROL-OVERDUE"),
}


def action_status(role: str, owner: str) -> int:
    """What a POST action on `owner`'s message answers `role`."""
    if owner not in SEES[role]:
        return 404
    return 302 if role in FINANCE else 403


FINANCE_ONLY_PREFIXES = (
    "imports/",
    "cash/",
    "dunning/plans/",
    "dunning/steps/",
    "dunning/templates/",
    "dunning/first-run/",
    "settings/",
    "resolution/disputes/reasons/",
)


def is_finance_only(route: Route) -> bool:
    return route.path.startswith(FINANCE_ONLY_PREFIXES) or route.name == "customer_dunning_plan"


def sample_kwargs(route: Route, world: World, owner: str) -> dict[str, Any]:
    if not route.arguments:
        return {}
    if route.name in OWNED_SAMPLES:
        return OWNED_SAMPLES[route.name](world, owner)
    if route.name in SHARED_SAMPLES:
        return SHARED_SAMPLES[route.name](world, owner)
    raise AssertionError(
        f"Route {route.name!r} ({route.path}) takes {route.arguments}: add sample arguments "
        "to OWNED_SAMPLES or SHARED_SAMPLES in tests/web/test_authorization.py so that it is "
        "authorization-tested."
    )


def body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def check(
    client: Client, role: str | None, route: Route, world: World, problems: list[str]
) -> None:
    owners = ["bob", "carol"] if route.name in OWNED_SAMPLES else ["bob"]
    for owner in owners:
        url = reverse(route.name, kwargs=sample_kwargs(route, world, owner))
        response = client.get(url)
        status = response.status_code
        where = f"{role or 'anonymous'} GET {url} ({route.name})"

        def expect(ok: bool, what: str, where: str = where, status: int = status) -> None:
            if not ok:
                problems.append(f"{where}: got {status}, expected {what}")

        if route.name in PUBLIC:
            expect(status in {200, 302, 405}, "a public page")
            continue
        if route.name in PORTAL:
            expect(status == PORTAL[route.name], str(PORTAL[route.name]))
            continue
        if role is None:
            login = reverse("login")
            expect(
                status == 302 and response["Location"].startswith(login),
                "a redirect to the login page",
            )
            continue
        if route.name in POST_ONLY:
            expect(status == 405, "405 (POST only)")
            continue
        if route.name in DISPUTE_ACTIONS:
            expect(status == 405, "405 (POST only)")
            posted = client.post(url).status_code
            if owner not in SEES[role]:
                wanted_set = {404}
            elif DISPUTE_ACTIONS[route.name](role, owner):
                wanted_set = {200, 302}
            else:
                wanted_set = {403}
            if posted not in wanted_set:
                problems.append(
                    f"{role} POST {url} ({route.name}): got {posted}, expected {wanted_set}"
                )
            continue
        if route.name in OWNED_ACTIONS | ADMIN_ACTIONS:
            expect(status == 405, "405 (POST only)")
            posted = client.post(url).status_code
            wanted = action_status(role, owner)
            if route.name in ADMIN_ACTIONS and wanted == 302 and role != "ada":
                wanted = 403
            if posted != wanted:
                problems.append(
                    f"{role} POST {url} ({route.name}): got {posted}, expected {wanted}"
                )
            continue
        if is_finance_only(route):
            if role in FINANCE:
                expect(status in {200, 302, 405}, "access for finance and admins")
            else:
                posted = client.post(url).status_code
                expect(
                    {status, posted} <= {403, 404, 405} and bool({status, posted} & {403, 404}),
                    f"403/404 (POST gave {posted})",
                )
            continue
        if route.name in OWNED_SAMPLES:
            expected = 200 if owner in SEES[role] else 404
            allowed = OWNED_RESTRICTED.get(route.name)
            if expected == 200 and allowed is not None and not allowed(role, owner):
                expected = 403
            expect(status == expected, str(expected))
        elif route.name == "home":
            expect(status == 302, "a redirect to the customers")
        else:
            expect(status == 200, "200")
        if status == 200:
            content = body(response)
            for hidden in {"bob", "carol"} - SEES[role]:
                for marker in MARKERS[hidden]:
                    if marker in content:
                        problems.append(f"{where}: shows {marker!r} from {hidden}'s portfolio")
        if route.name in CUSTOMER_FILTERED:
            for other in ("bob", "carol"):
                customer_id = world.portfolios[other].customer.pk
                filtered = client.get(url, {"customer": customer_id}).status_code
                expected = 200 if other in SEES[role] else 404
                if filtered != expected:
                    problems.append(
                        f"{where}?customer={other}'s: got {filtered}, expected {expected}"
                    )


@pytest.fixture
def world(
    everyone: dict[str, User],
    bobs: Portfolio,
    carols: Portfolio,
    settings: Any,
    tmp_path: Any,
) -> World:
    settings.MEDIA_ROOT = tmp_path  # the sample formal notices' PDFs
    batch = ImportBatch.objects.create(
        kind=ImportKind.INVOICES,
        filename="factures.csv",
        sha256="0" * 64,
        status=ImportStatus.APPLIED,
        actor=everyone["alice"],
    )
    plan = DunningPlan.objects.get(is_default=True)
    # Written directly (no service): the walker's GETs must not depend on DNS or on events.
    webhook = WebhookEndpoint.objects.create(url="https://hooks.example.com/encaisse")
    event = WebhookEvent.objects.create(type="webhook.test", payload={"type": "webhook.test"})
    webhook_delivery = WebhookDelivery.objects.create(
        event=event, endpoint=webhook, state="delivered", attempts=1, last_status_code=200
    )
    with time_machine.travel(TODAY, tick=False):
        messages = {"bob": messages_for(bobs.customer, bobs.invoice)}
        messages["carol"] = messages_for(carols.customer, carols.invoice)
        disputes = {"bob": dispute_sample(bobs), "carol": dispute_sample(carols)}
        resolution = {
            "bob": resolution_samples(bobs.customer, bobs.invoice),
            "carol": resolution_samples(carols.customer, carols.invoice),
        }
    return World(
        portfolios={"bob": bobs, "carol": carols},
        import_batch=batch,
        messages=messages,
        plan=plan,
        step=plan.steps.order_by("offset_days").first(),
        template=MessageTemplate.objects.order_by("pk").first(),
        allocation=Allocation.objects.filter(invoice__customer=bobs.customer).first(),
        webhook=webhook,
        webhook_delivery=webhook_delivery,
        portal_token=portal_link_create(customer=bobs.customer, actor=None).token,
        portal_invoice=bobs.invoice.external_key,
        disputes=disputes,
        resolution=resolution,
        payment_plans={name: _proposed_plan(p) for name, p in (("bob", bobs), ("carol", carols))},
    )


def dispute_sample(portfolio: Portfolio) -> Dispute:
    """An open dispute on the portfolio's overdue invoice, with one attachment."""
    reasons_install(django_apps)
    dispute = dispute_open(
        actor=None,
        customer=portfolio.customer,
        reason=DisputeReason.objects.get(code="pricing"),
        lines=[Disputed(portfolio.invoice)],
    )
    upload = SimpleUploadedFile("bl.pdf", b"%PDF-1.4 sample", content_type="application/pdf")
    dispute_attachment_add(actor=None, dispute=dispute, upload=upload)
    return dispute


def _proposed_plan(portfolio: Portfolio) -> PaymentPlan:
    """A plan the customer's rep proposed over its overdue invoice (finance decides)."""
    with time_machine.travel(TODAY, tick=False):
        return plan_propose(
            actor=portfolio.customer.account_manager,
            customer=portfolio.customer,
            invoices=[portfolio.invoice],
            instalment_count=3,
            frequency="monthly",
            first_due_on=TODAY,
        )


def test_the_walker_finds_the_ledger_dunning_and_shell_routes() -> None:
    names = {route.name for route in project_routes()}
    assert {"home", "login", "customers", "customer", "invoice", "payments_export"} <= names
    assert {"dunning_today", "dunning_message_pdf", "dunning_plan", "customer_remind"} <= names


def test_every_route_has_a_name_and_its_arguments_have_samples(db: None) -> None:
    world = World(portfolios={}, import_batch=ImportBatch(pk=1))
    for route in project_routes():
        assert route.name, f"{route.path} has no name: name it so it can be tested"
        if route.arguments and route.name not in OWNED_SAMPLES:
            sample_kwargs(route, world, "bob")  # raises with instructions when missing


@pytest.mark.parametrize("role", [None, "ada", "alice", "bob", "carol", "dave"])
@time_machine.travel(TODAY, tick=False)
def test_every_route_for_every_role(
    client: Client, world: World, everyone: dict[str, User], role: str | None
) -> None:
    if role is not None:
        client.force_login(everyone[role])
    problems: list[str] = []
    for route in project_routes():
        check(client, role, route, world, problems)
    assert not problems, "\n".join(problems)


def test_admin_is_for_staff_only(client: Client, everyone: dict[str, User]) -> None:
    admin_login = reverse("admin:login")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(admin_login)
    for name in ("ada", "alice", "bob", "carol", "dave"):
        client.force_login(everyone[name])
        response = client.get("/admin/")
        assert response.status_code == 302, name  # the role alone does not open the admin
        assert response["Location"].startswith(admin_login)


def test_admin_changelists_open_for_a_superuser(client: Client, ada: User, bobs: Portfolio) -> None:
    ada.is_staff = ada.is_superuser = True
    ada.save()
    client.force_login(ada)
    assert client.get("/admin/").status_code == 200
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    change = reverse("admin:ledger_invoice_change", args=[bobs.invoice.pk])
    assert client.get(change).status_code == 200

"""Users, roles and teams: who may see which part of the customer ledger."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    FINANCE = "finance", _("Finance")
    SALES = "sales", _("Sales rep")
    MANAGER = "manager", _("Manager")


class Team(models.Model):
    """A group of sales reps; its lead (a manager or a senior rep) sees their portfolios."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    lead = models.ForeignKey(
        "accounts.User",
        verbose_name=_("lead"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using Encaisse; the role decides what they see and may change."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", help_text=_("Interface language")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def sees_whole_ledger(self) -> bool:
        """Admins and finance see every customer; others see portfolios."""
        return self.is_superuser or self.role in {Role.ADMIN, Role.FINANCE}

    @property
    def can_edit_ledger(self) -> bool:
        return self.is_superuser or self.role in {Role.ADMIN, Role.FINANCE}


def stored_actor(actor: User | None) -> User | None:
    """Who acted, as a foreign-key value: None for the system, and for a user
    that is not in the database (a script's unsaved placeholder)."""
    return actor if actor is not None and actor.pk else None


class Throttle(models.Model):
    """Requests counted per key and per fixed time window, to slow down the abuse
    of a form anyone may send (the password reset: SPEC §1, issue 7).

    One row per (scope, key, window); the counter goes up with a conditional
    UPDATE, so concurrent requests in several processes all count. `key` is a
    hash: addresses typed by strangers are not kept in clear.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("throttle")
        verbose_name_plural = _("throttles")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="throttle_one_row_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"], name="throttle_window_start")]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token: acts as its user, with the user's role and portfolio.

    Only a SHA-256 digest of the secret is kept; the token is shown once, at
    creation. `prefix` (the public part of the token, before the secret) finds
    the row with an indexed lookup and lets the user recognise the token in a
    list without revealing it. A read token cannot write whatever the role.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def may_write(self) -> bool:
        return self.scope == TokenScope.WRITE

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

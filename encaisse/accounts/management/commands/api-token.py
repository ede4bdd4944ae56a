"""`encaisse api-token create|list|revoke`: personal API tokens from the command line.

`create` prints the token alone on its last line, so that a script can take
it with `tail -n 1`; it is shown this once and stored only as a digest.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from encaisse.accounts.models import ApiToken, TokenScope, User
from encaisse.accounts.tokens import api_token_create, api_token_revoke, tokens_of


class Command(BaseCommand):
    help = _("Create, list or revoke a user's personal API tokens.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help=_("issue a new token"))
        create.add_argument("--user", required=True, help=_("username the token acts as"))
        create.add_argument("--name", default="", help=_("what the token is for"))
        create.add_argument("--scope", choices=TokenScope.values, default=TokenScope.READ)
        create.add_argument("--expires-days", type=int, default=None)
        listing = actions.add_parser("list", help=_("list a user's tokens"))
        listing.add_argument("--user", required=True)
        revoke = actions.add_parser("revoke", help=_("revoke a token by its prefix"))
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            self._revoke(options["prefix"])
            return
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(_("No user %(name)r.") % {"name": options["user"]})
        if action == "list":
            self._list(user)
            return
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError(_("--expires-days must be 1 or more."))
        issued = api_token_create(
            actor=user,
            user=user,
            name=options["name"] or _("command line"),
            scope=options["scope"],
            expires_days=days,
        )
        self.stderr.write(
            _("Token %(prefix)s for %(user)s (%(scope)s); keep it now, it is not shown again:")
            % {"prefix": issued.token.prefix, "user": user.username, "scope": issued.token.scope}
        )
        self.stdout.write(issued.plain)

    def _list(self, user: User) -> None:
        for token in tokens_of(user):
            state = _("revoked") if token.revoked_at else _("in use")
            used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "-"
            self.stdout.write(f"{token.prefix}\t{token.scope}\t{state}\t{used}\t{token.name}")

    def _revoke(self, prefix: str) -> None:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(_("No token with the prefix %(prefix)r.") % {"prefix": prefix})
        if not api_token_revoke(actor=token.user, token=token):
            self.stdout.write(_("Already revoked."))
            return
        self.stdout.write(_("Revoked."))

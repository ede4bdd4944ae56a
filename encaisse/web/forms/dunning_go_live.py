"""The go-live policy chosen on the first-run screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from encaisse.dunning.models import BacklogMode, DunningSettings, DunningStep
from encaisse.web.dunning_labels import action as action_label
from encaisse.web.dunning_labels import short_offset


class GoLiveForm(forms.Form):
    go_live_on = forms.DateField(
        label=gettext_lazy("Go-live date"),
        help_text=gettext_lazy("Invoices that fell due before this date are the backlog."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Invoices due before go-live"),
        choices=BacklogMode.choices,
        widget=forms.RadioSelect,
    )
    ceiling_offset = forms.TypedChoiceField(
        label=gettext_lazy("Never beyond"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # Steps after the due date, by offset (a ceiling is a day offset, the
        # same in every plan); named after the default plan's step there.
        steps: dict[int, DunningStep] = {}
        for step in DunningStep.objects.filter(offset_days__gte=0).order_by(
            "offset_days", "-plan__is_default"
        ):
            steps.setdefault(step.offset_days, step)
        field: Any = self.fields["ceiling_offset"]
        field.choices = [
            (offset, f"{short_offset(offset)} · {step.name} ({action_label(step.action)})")
            for offset, step in steps.items()
        ]

    @classmethod
    def initial_for(cls, policy: DunningSettings, today: dt.date) -> dict[str, Any]:
        """The saved policy, or on a first run: go-live today, up to the first reminder."""
        if policy.first_run_confirmed:
            return {
                "go_live_on": policy.go_live_on or today,
                "mode": policy.backlog_mode,
                "ceiling_offset": policy.backlog_ceiling_offset,
            }
        first = (
            DunningStep.objects.filter(offset_days__gt=0, action="email")
            .order_by("offset_days")
            .values_list("offset_days", flat=True)
            .first()
        )
        return {"go_live_on": today, "mode": BacklogMode.UP_TO, "ceiling_offset": first}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == BacklogMode.UP_TO and data.get("ceiling_offset") is None:
            self.add_error(
                "ceiling_offset", _("Choose the last step invoices due before go-live may reach.")
            )
        go_live_on = data.get("go_live_on")
        if go_live_on is not None and go_live_on > self.today + dt.timedelta(days=366):
            self.add_error("go_live_on", _("Choose a go-live date within a year."))
        return data

"""The go-live policy chosen on the first-run screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from encaisse.dunning.models import BacklogMode, DunningSettings, DunningStep
from encaisse.dunning.services.go_live import go_live_policy_check
from encaisse.lib.errors import ValidationFailed
from encaisse.web.dunning_labels import action as action_label
from encaisse.web.dunning_labels import short_offset
from encaisse.web.forms.errors import form_errors_add


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
        if self.errors:
            return data  # a field did not parse: the policy's rules would only repeat it
        try:
            go_live_policy_check(
                go_live_on=data.get("go_live_on"),
                mode=data.get("mode", ""),
                ceiling_offset=data.get("ceiling_offset"),
            )
        except ValidationFailed as failed:
            form_errors_add(self, failed)
        return data

"""Forms of the plans editor: a plan's own fields, one step, a customer's plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from encaisse.accounts.models import Role, User
from encaisse.dunning.models import (
    DunningPlan,
    DunningStep,
    MessageTemplate,
    StepAction,
    StepAssignee,
    StepMode,
    StepSender,
    TemplateCode,
)
from encaisse.dunning.services.plan_rules import StepFields
from encaisse.web.forms.choices import FrenchOrderModelChoiceField


class PlanForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    risk_classes = forms.CharField(
        label=gettext_lazy("For risk classes"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Letters separated by commas, e.g. C,D. Customers of these classes follow "
            "this plan unless they have a plan of their own."
        ),
    )
    is_default = forms.BooleanField(
        label=gettext_lazy("Default plan"),
        required=False,
        help_text=gettext_lazy("Followed by every customer no other plan applies to."),
    )

    def __init__(self, *args: Any, plan: DunningPlan | None = None, **kwargs: Any) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": plan.name,
                "description": plan.description,
                "risk_classes": plan.risk_classes,
                "is_default": plan.is_default,
            }
        super().__init__(*args, **kwargs)
        self.plan = plan

    # The rules (a unique name, the default plan staying default) are the
    # services' (dunning.services.plan_rules): the view maps their errors here.


def template_code_choices() -> list[tuple[str, str]]:
    labels = dict(TemplateCode.choices)
    codes = MessageTemplate.objects.order_by("code").values_list("code", flat=True).distinct()
    return [("", _("Default for the action"))] + [
        (code, f"{labels[code]} ({code})" if code in labels else code) for code in codes
    ]


class StepForm(forms.Form):
    offset_days = forms.IntegerField(
        label=gettext_lazy("Days after the due date"),
        min_value=-365,
        max_value=3650,
        help_text=gettext_lazy("Negative: before the due date (a preventive reminder)."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=StepAction.choices)
    template_code = forms.ChoiceField(label=gettext_lazy("Template"), required=False)
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=StepMode.choices,
        help_text=gettext_lazy("To review: finance approves each message before it goes out."),
    )
    min_balance = forms.DecimalField(
        label=gettext_lazy("Minimum open balance"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0.00"),
    )
    sender = forms.ChoiceField(label=gettext_lazy("Sender"), choices=StepSender.choices)
    sender_user = FrenchOrderModelChoiceField(
        label=gettext_lazy("Finance sender"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("Who signs when the sender is a finance user."),
    )
    assignee = forms.ChoiceField(
        label=gettext_lazy("Call assigned to"),
        choices=StepAssignee.choices,
        help_text=gettext_lazy("For call tasks: the account manager (cordial) or finance."),
    )
    registered_mail = forms.BooleanField(
        label=gettext_lazy("Registered mail with acknowledgement"), required=False
    )

    def __init__(
        self, *args: Any, plan: DunningPlan, step: DunningStep | None = None, **kwargs: Any
    ) -> None:
        if step is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "offset_days": step.offset_days,
                "name": step.name,
                "action": step.action,
                "template_code": step.template_code,
                "mode": step.mode,
                "min_balance": step.min_balance,
                "sender": step.sender,
                "sender_user": step.sender_user_id,
                "assignee": step.assignee,
                "registered_mail": step.registered_mail,
            }
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.step = step
        prefix = f"step-{step.pk}" if step is not None else "step-new"
        self.auto_id = f"id_{prefix}_%s"
        self.fields["template_code"].choices = template_code_choices()  # type: ignore[attr-defined]
        self.fields["sender_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(role__in=[Role.FINANCE, Role.ADMIN]) | Q(is_superuser=True), is_active=True
        )

    def fields_value(self) -> StepFields:
        data = self.cleaned_data
        return StepFields(
            name=data["name"],
            offset_days=data["offset_days"],
            action=data["action"],
            template_code=data["template_code"] or "",
            mode=data["mode"],
            min_balance=data["min_balance"],
            sender=data["sender"],
            sender_user=data["sender_user"] if data["sender"] == StepSender.FINANCE_USER else None,
            assignee=data["assignee"],
            registered_mail=bool(data["registered_mail"]),
        )


class AssignPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Dunning plan"),
        queryset=DunningPlan.objects.all(),
        required=False,
        empty_label=gettext_lazy("By rule"),
    )

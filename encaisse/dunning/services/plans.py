"""Which plan applies to which customer, as engine values (SPEC §4.1)."""

from __future__ import annotations

from dataclasses import dataclass

from encaisse.dunning.engine.types import Plan, Step
from encaisse.dunning.models import CustomerDunning, DunningPlan, DunningStep


@dataclass(frozen=True, slots=True)
class PlanBook:
    """Every plan, loaded once per run, and the rule that picks one per customer."""

    plans: dict[int, Plan]
    default_id: int | None
    by_risk_class: dict[str, int]
    overrides: dict[int, int]  # customer id -> plan id

    def plan_for(self, customer_id: int, risk_class: str) -> Plan | None:
        """The customer's override, else the plan for its risk class, else the default."""
        plan_id = self.overrides.get(customer_id)
        if plan_id is None:
            plan_id = self.by_risk_class.get(risk_class.upper(), self.default_id)
        return self.plans.get(plan_id) if plan_id is not None else None

    def step(self, step_id: int) -> Step | None:
        for plan in self.plans.values():
            for step in plan.steps:
                if step.id == step_id:
                    return step
        return None


def plan_book_load() -> PlanBook:
    steps_by_plan: dict[int, list[Step]] = {}
    for row in DunningStep.objects.order_by("plan_id", "offset_days"):
        steps_by_plan.setdefault(row.plan_id, []).append(
            Step(
                id=row.pk,
                name=row.name,
                offset_days=row.offset_days,
                action=row.action,
                mode=row.mode,
                min_balance=row.min_balance,
                template_code=row.template_code,
            )
        )
    plans: dict[int, Plan] = {}
    default_id = None
    by_risk_class: dict[str, int] = {}
    for plan in DunningPlan.objects.order_by("name"):
        plans[plan.pk] = Plan(plan.pk, plan.name, tuple(steps_by_plan.get(plan.pk, ())))
        if plan.is_default:
            default_id = plan.pk
        for risk_class in plan.risk_class_list:
            by_risk_class.setdefault(risk_class, plan.pk)
    overrides = dict(
        CustomerDunning.objects.filter(plan__isnull=False).values_list("customer_id", "plan_id")
    )
    return PlanBook(plans, default_id, by_risk_class, overrides)

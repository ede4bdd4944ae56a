from encaisse.dunning.models.holds import Hold, HoldReason
from encaisse.dunning.models.outbox import (
    AttemptOutcome,
    Channel,
    DeliveryAttempt,
    DunningMessage,
    MessageState,
)
from encaisse.dunning.models.plans import (
    DunningPlan,
    DunningStep,
    StepAction,
    StepAssignee,
    StepMode,
    StepSender,
)
from encaisse.dunning.models.policy import BacklogMode, DunningSettings, LatePenaltyRate
from encaisse.dunning.models.runs import ActionStatus, DunningAction, DunningRun
from encaisse.dunning.models.state import CustomerDunning, InvoiceDunning, StateReason
from encaisse.dunning.models.templates import MessageTemplate, TemplateCode

__all__ = [
    "ActionStatus",
    "AttemptOutcome",
    "BacklogMode",
    "Channel",
    "CustomerDunning",
    "DeliveryAttempt",
    "DunningAction",
    "DunningMessage",
    "DunningPlan",
    "DunningRun",
    "DunningSettings",
    "DunningStep",
    "Hold",
    "HoldReason",
    "InvoiceDunning",
    "LatePenaltyRate",
    "MessageState",
    "MessageTemplate",
    "StateReason",
    "StepAction",
    "StepAssignee",
    "StepMode",
    "StepSender",
    "TemplateCode",
]

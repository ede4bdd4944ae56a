"""Reading tasks, scoped to the viewer (SPEC §1.5); timelines are in collab.timeline."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from encaisse.accounts.models import User
from encaisse.accounts.selectors import portfolio_owner_ids
from encaisse.collab.models import Task, TaskQueue, TaskStatus


def tasks_visible_to(user: User) -> QuerySet[Task]:
    """The tasks `user` may see, as on the dunning day page: finance and admins
    every task; anyone else the tasks about their portfolio's customers, and
    those assigned to them. Tasks about no customer (the stale-ledger alert)
    are finance's."""
    tasks = Task.objects.select_related("customer", "assignee")
    owners = portfolio_owner_ids(user)
    if owners is None:
        return tasks
    return tasks.filter(Q(customer__account_manager_id__in=owners) | Q(assignee_id=user.pk))


def tasks_of(user: User, *, status: str | None = TaskStatus.OPEN) -> QuerySet[Task]:
    """ "My tasks": assigned to `user`, plus the finance queue for finance and admins;
    open ones by default (None: any status), soonest due first."""
    mine = Q(assignee_id=user.pk)
    if user.sees_whole_ledger:
        mine |= Q(queue=TaskQueue.FINANCE)
    tasks = tasks_visible_to(user).filter(mine)
    if status is not None:
        tasks = tasks.filter(status=status)
    return tasks.order_by("due_on", "id")

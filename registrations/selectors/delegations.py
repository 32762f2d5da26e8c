"""Reads about delegations: their member counts, protocol order and head."""

from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from registrations.models import (
    ATTENDING,
    NOMINATED,
    Delegation,
    DelegationRole,
    Registration,
)

Status = Registration.Status


def with_member_counts(delegations: QuerySet) -> QuerySet:
    """Annotate ``nominated_count``, ``approved_count`` and ``pending_count``.

    Nominated: the members who count against the quota (``NOMINATED``);
    approved: those who hold a seat. Correlated subqueries, evaluated for
    the rows read only.
    """

    def counted(**conditions):
        members = (
            Registration.objects.filter(delegation=OuterRef("pk"), **conditions)
            .order_by()
            .values("delegation")
            .annotate(total=Count("*"))
            .values("total")
        )
        return Coalesce(Subquery(members), 0)

    return delegations.annotate(
        nominated_count=counted(status__in=NOMINATED),
        approved_count=counted(status=ATTENDING),
        pending_count=counted(status=Status.PENDING),
    )


# The order protocol lists a delegation in: by role, then by precedence.
ROLE_ORDER = Case(
    *[
        When(delegation_role=role, then=place)
        for place, role in enumerate(DelegationRole.values)
    ],
    default=len(DelegationRole.values),
)


def delegation_members(delegation: Delegation, *, nominated_only: bool = True):
    """Return a delegation's members in protocol order: role, precedence, name."""
    members = delegation.members.all()
    if nominated_only:
        members = members.nominated()
    return members.alias(role_order=ROLE_ORDER).order_by(
        "role_order", "protocol_order", "family_name", "given_name", "pk"
    )


def delegation_head(delegation: Delegation) -> Registration | None:
    """Return the delegation's head: its nominated member in the role of head."""
    return (
        delegation.members.nominated()
        .filter(delegation_role=DelegationRole.HEAD)
        .first()
    )


def delegation_for_portal(token: str) -> Delegation | None:
    """Return the delegation whose portal link is ``token``, or None."""
    return (
        with_member_counts(Delegation.objects.select_related("event", "organisation"))
        .filter(portal_token=token)
        .first()
    )

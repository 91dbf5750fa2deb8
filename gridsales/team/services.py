"""Writes for reps and grid memberships. Memberships are effective-dated: history stays."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.core.scope import scope_for
from gridsales.core.services import model_save
from gridsales.grids.models import Grid
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership, RepProfile

USER_FIELDS = ("username", "display_name", "email", "role", "is_active")
PROFILE_FIELDS = (
    "employee_no",
    "phone",
    "title",
    "hire_date",
    "manager",
    "home_address",
    "home_lat",
    "home_lng",
)


def ensure_may_manage_account(*, actor: User, account: User | None, role: str | None) -> None:
    """Only an administrator creates, changes, grants or deactivates an administrator.

    Otherwise a director could make themselves (or a friend) an administrator, or take over
    or lock out an administrator's account. Raises PermissionDenied.
    """
    touches_admin = role == Role.ADMIN or (account is not None and account.is_admin)
    if touches_admin and scope_for(actor).role != Role.ADMIN:
        raise PermissionDenied(
            _("Only an administrator can create, change or grant an administrator account.")
        )


@transaction.atomic
def rep_create(*, username: str, password: str | None = None, **fields) -> User:
    """Create a user with a rep profile. Without a password the user cannot log in yet."""
    user = User(username=username, role=fields.pop("role", Role.REP))
    for name in USER_FIELDS:
        if name in fields:
            setattr(user, name, fields.pop(name))
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = RepProfile(user=user)
    model_save(profile, **{k: v for k, v in fields.items() if k in PROFILE_FIELDS})
    return user


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def rep_update(*, user: User, password: str | None = None, **fields) -> User:
    """Update a rep's user fields and profile fields (and password) in one go."""
    user_fields = {k: v for k, v in fields.items() if k in USER_FIELDS}
    profile_fields = {k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    if password:
        _check_password(password, user)
        user.set_password(password)
    if user_fields or password:
        model_save(user, **user_fields)
    profile, _created = RepProfile.objects.get_or_create(user=user)
    if profile_fields:
        model_save(profile, **profile_fields)
    return user


def _check_membership(m: Membership) -> None:
    if m.valid_to is not None and m.valid_to < m.valid_from:
        raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
    others = (
        Membership.objects.filter(grid=m.grid)
        .exclude(pk=m.pk)
        .overlapping(m.valid_from, m.valid_to)
    )
    if others.filter(user=m.user).exists():
        raise ValidationError(
            {
                "valid_from": _(
                    "{user} is already a member of grid “{grid}” in this period."
                ).format(user=m.user, grid=m.grid.code)
            }
        )
    if m.role == MembershipRole.MEMBER:
        # Conservative: every member overlapping this period counts, as if concurrent.
        taken = others.filter(role=MembershipRole.MEMBER).aggregate(s=Sum("share_pct"))["s"]
        if (taken or Decimal(0)) + m.share_pct > 100:
            raise ValidationError(
                {
                    "share_pct": _(
                        "The members' shares of grid “{grid}” in this period would exceed 100% ({taken}% already taken)."
                    ).format(grid=m.grid.code, taken=taken)
                }
            )
    if not m.grid.is_leaf and m.role == MembershipRole.MEMBER and m.user.role == Role.REP:
        raise ValidationError({"grid": _("A rep can only join a leaf grid.")})


@transaction.atomic
def membership_create(
    *,
    user: User,
    grid: Grid,
    valid_from: datetime.date,
    role: str = MembershipRole.MEMBER,
    share_pct: Decimal = Decimal("100"),
    valid_to: datetime.date | None = None,
    note: str = "",
) -> Membership:
    """Put `user` on `grid` from `valid_from` (to `valid_to`, open-ended by default)."""
    m = Membership(
        user=user,
        grid=grid,
        role=role,
        share_pct=share_pct,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
    )
    m.full_clean()
    _check_membership(m)
    m.save()
    return m


@transaction.atomic
def membership_update(*, membership: Membership, **fields) -> Membership:
    """Change role, share, end date or note. Who and where are fixed: end and start anew."""
    if not fields.keys() <= {"role", "share_pct", "valid_to", "note", "valid_from"}:
        raise ValidationError(
            _("The person and grid of a membership cannot change; end it and create a new one.")
        )
    if "valid_from" in fields and fields["valid_from"] != membership.valid_from:
        if membership.valid_from <= timezone.localdate():
            raise ValidationError(
                {"valid_from": _("A membership that has started cannot change its start date.")}
            )
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.full_clean()
    _check_membership(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, valid_to: datetime.date | None = None) -> Membership:
    """End a membership on `valid_to` (default today). The record stays as history."""
    valid_to = valid_to or timezone.localdate()
    if valid_to < membership.valid_from:
        raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
    membership.valid_to = valid_to
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership) -> None:
    """Only a membership that has not started yet may be deleted; others are ended."""
    if membership.valid_from <= timezone.localdate():
        raise ValidationError(
            _(
                "A membership that has started cannot be deleted, as that would rewrite history; end it by setting an end date."
            )
        )
    membership.delete()

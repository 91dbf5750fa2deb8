"""What a user may see and change: the scope behind every RestrictedQuerySet.

The visible scope of a user is the subtrees of the grids they belong to (any membership
active today); the writable scope is the subtrees of the grids they manage. Admins and
directors read and write everything; analysts and finance read everything.
See docs/permissions.md for the full matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from gridsales.accounts.choices import Role

READ_ALL_ROLES = {Role.ADMIN, Role.DIRECTOR, Role.ANALYST, Role.FINANCE}
WRITE_ALL_ROLES = {Role.ADMIN, Role.DIRECTOR}
MANAGER_ROLES = {Role.REGIONAL_MANAGER, Role.GRID_MANAGER}


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    role: str
    read_all: bool
    write_all: bool
    read_paths: tuple[str, ...]
    write_paths: tuple[str, ...]

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    def paths_q(self, field: str, paths: tuple[str, ...]) -> Q:
        """Q matching rows whose `field` (a grid path) lies in one of `paths`' subtrees."""
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(**{f"{field}__startswith": path})
        return q


def minimal_paths(paths) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set (their subtree is covered)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (i.e. once per request)."""
    cached = getattr(user, "_gridsales_scope", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated or not user.is_active:
        scope = Scope(None, "", False, False, (), ())
    else:
        role = Role.ADMIN if user.is_superuser else user.role
        read_all = role in READ_ALL_ROLES
        write_all = role in WRITE_ALL_ROLES
        read_paths: tuple[str, ...] = ()
        write_paths: tuple[str, ...] = ()
        if not read_all:
            from gridsales.team.models import Membership

            rows = (
                Membership.objects.active()
                .filter(user=user)
                .order_by()  # the default ordering would join users for nothing
                .values_list("grid__path", "role")
            )
            read_paths = minimal_paths(path for path, _ in rows)
            if role in MANAGER_ROLES:
                write_paths = minimal_paths(path for path, r in rows if r == "manager")
        scope = Scope(user.pk, role, read_all, write_all, read_paths, write_paths)
    if user is not None:
        user._gridsales_scope = scope
    return scope

"""RestrictedQuerySet: every scoped model's default manager (NetBox's pattern).

`Model.objects.restrict(user, action)` returns only the rows `user` may `action`
(view, add, change, delete). Each model's queryset says how in `scope_q()`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from gridsales.core.scope import Scope, scope_for

ACTIONS = ("view", "add", "change", "delete")


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        scope = scope_for(user)
        if scope.user_id is None:
            return self.none()
        if scope.write_all or (scope.read_all and action == "view"):
            return self
        q = self.scope_q(scope, action)
        if q is None:
            return self
        return self.filter(q).distinct() if self._scope_needs_distinct else self.filter(q)

    # Subclasses set this when their Q spans a to-many relation.
    _scope_needs_distinct = False

    def scope_q(self, scope: Scope, action: str) -> Q | None:
        """Q of the rows `scope` may `action`; None means all rows. Deny by default."""
        return Q(pk__in=[])

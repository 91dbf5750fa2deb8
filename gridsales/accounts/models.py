"""Users and their roles. A rep's profile lives in team.RepProfile."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.choices import Role
from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet


class UserQuerySet(RestrictedQuerySet):
    _scope_needs_distinct = True

    def scope_q(self, scope, action):
        if action != "view":
            return Q(pk__in=[])  # only admins and directors manage users
        today = timezone.localdate()
        in_scope = (
            scope.paths_q("memberships__grid__path", scope.read_paths)
            & Q(memberships__valid_from__lte=today)
            & (Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today))
        )
        return Q(pk=scope.user_id) | in_scope


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AuditedModel, AbstractUser):
    """A person who logs in. `role` decides what kind of scope they get (docs/permissions.md)."""

    role = models.CharField(_("Role"), max_length=20, choices=Role.choices, default=Role.REP)
    display_name = models.CharField(_("Full name"), max_length=100, blank=True)

    objects = ScopedUserManager()
    audit_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("User")
        verbose_name_plural = _("User")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("team:rep-detail", args=[self.pk])

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

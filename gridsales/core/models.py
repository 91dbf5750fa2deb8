"""Core models: the audit log, and the mixin that makes a model audited."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridsales.core.querysets import RestrictedQuerySet


class AuditedModel(models.Model):
    """A model whose every create, update and delete is written to the audit log.

    Fields listed in `audit_exclude` (secrets, noise) are left out of the snapshots.
    """

    audit_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Edit")
    DELETE = "delete", _("Delete")


class ObjectChangeQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view"):
        """Only admins read the global log. Per-object history is read through the object
        itself, whose own scope applies (core.views.ObjectHistoryView)."""
        from gridsales.accounts.choices import Role
        from gridsales.core.scope import scope_for

        return self if scope_for(user).role == Role.ADMIN and action == "view" else self.none()


class ObjectChange(models.Model):
    """One create/update/delete of an audited object: who, when, request id, before/after."""

    time = models.DateTimeField(_("Time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("User"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("Username"), max_length=150, blank=True)
    request_id = models.CharField(_("Request ID"), max_length=64, blank=True, db_index=True)
    action = models.CharField(_("Action"), max_length=10, choices=ChangeAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField(_("Object ID"))
    object_repr = models.CharField(_("Object"), max_length=200)
    before = models.JSONField(_("Before"), null=True, blank=True)
    after = models.JSONField(_("After"), null=True, blank=True)

    objects = ObjectChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Change record")
        verbose_name_plural = _("Change record")
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value changed."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class ImportRunQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Everyone reads the runs they made; read-all roles read every run (restrict()
        # answers them before asking here). Nobody edits a run.
        if action == "view":
            return models.Q(user_id=scope.user_id)
        return models.Q(pk__in=[])


class ImportRun(AuditedModel):
    """One import that wrote data: who, when, what kind, which file, the counts and errors.

    Imports write with bulk operations, which bypass the per-object audit signals; this
    record (itself audited) is the summary the audit log keeps of the run instead.
    """

    time = models.DateTimeField(_("Time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("User"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("Username"), max_length=150, blank=True)
    kind = models.CharField(_("Kind"), max_length=40)
    file_name = models.CharField(_("File name"), max_length=255, blank=True)
    options = models.JSONField(_("Options"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("Rows"), default=0)
    created = models.PositiveIntegerField(_("Created"), default=0)
    updated = models.PositiveIntegerField(_("Updated"), default=0)
    unchanged = models.PositiveIntegerField(_("Unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("Skipped"), default=0)
    errors = models.JSONField(_("Errors"), default=list, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("Import run")
        verbose_name_plural = _("Import run")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

"""Core pages: home (grid tree with counts), audit log, per-object history."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView

from gridsales.core.models import AuditedModel, ObjectChange
from gridsales.core.scope import scope_for
from gridsales.core.views import scoped_object
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid
from gridsales.grids.selectors import with_customer_counts


def grid_tree(user) -> tuple[list[dict], dict]:
    """The grids the user may see as nested nodes, each with its subtree's customer count."""
    grids = with_customer_counts(Grid.objects.restrict(user, "view").order_by("depth", "code"))
    nodes = {g.pk: {"grid": g, "children": [], "customers": g.customer_count} for g in grids}
    roots = []
    for g in grids:
        parent = nodes.get(g.parent_id)
        (parent["children"] if parent else roots).append(nodes[g.pk])
    totals = {
        "grids": len(grids),
        "leaves": sum(1 for g in grids if g.is_leaf),
        "customers": Customer.objects.restrict(user, "view").count(),
    }
    return roots, totals


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from gridsales.accounts.models import User

        context = super().get_context_data(**kwargs)
        roots, totals = grid_tree(self.request.user)
        totals["people"] = User.objects.restrict(self.request.user, "view").count()
        context.update(roots=roots, totals=totals, scope=scope_for(self.request.user))
        return context


def _audited_model(label: str):
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if not issubclass(model, AuditedModel):
        raise Http404
    return model


class ObjectHistoryView(LoginRequiredMixin, TemplateView):
    """The change history of one object, for anyone who may see the object."""

    template_name = "core/object_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = _audited_model(self.kwargs["label"])
        instance = scoped_object(self.request.user, model, pk=self.kwargs["pk"])
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=instance.pk
        ).select_related("user")
        page = Paginator(changes, 50).get_page(self.request.GET.get("page"))
        context.update(object=instance, page_obj=page, changes=page.object_list)
        return context


class AuditListView(LoginRequiredMixin, TemplateView):
    """The global audit log; only admins (others get 404, as for anything out of scope)."""

    template_name = "core/audit_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if scope_for(self.request.user).role != "admin":
            raise Http404
        changes = ObjectChange.objects.restrict(self.request.user, "view")
        q = self.request.GET
        if q.get("user"):
            changes = changes.filter(user_name=q["user"])
        if q.get("action"):
            changes = changes.filter(action=q["action"])
        if q.get("request_id"):
            changes = changes.filter(request_id=q["request_id"])
        if q.get("type"):
            changes = changes.filter(content_type__model=q["type"])
        page = Paginator(changes.select_related("content_type"), 50).get_page(q.get("page"))
        query = q.copy()
        query.pop("page", None)
        types = [
            (m._meta.model_name, m._meta.verbose_name)
            for m in apps.get_models()
            if issubclass(m, AuditedModel)
        ]
        context.update(
            page_obj=page, changes=page.object_list, query=query.urlencode(), types=types
        )
        return context

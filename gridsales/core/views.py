"""Base views for the web UI: every list, detail and form is scoped in one place.

Objects outside the user's view scope answer 404; objects the user can see but not change
answer 403 on their edit pages; a save that would move an object out of the user's scope is
rolled back and reported as a form error.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.scope import scope_for

PAGE_SIZES = (25, 50, 100, 200)


def can(user, instance, action: str) -> bool:
    """May `user` do `action` to this object? (Same rule as the API and the querysets.)"""
    return type(instance).objects.restrict(user, action).filter(pk=instance.pk).exists()


def scoped_object(user, model, action: str = "view", **lookup):
    """The object if the user may see it, else 404; if seen but not `action`-able, 403."""
    instance = get_object_or_404(model.objects.restrict(user, "view"), **lookup)
    if action != "view" and not can(user, instance, action):
        raise PermissionDenied
    return instance


def save_in_scope(user, form, make, action: str):
    """Run `make()` (a service call) in a transaction and keep its result only if `user`
    may `action` ("add" or "change") it; otherwise roll back. Returns the saved object, or
    None with the service's errors (or the out-of-scope message) added to `form`."""
    try:
        with transaction.atomic():
            saved = make()
            if not can(user, saved, action):
                raise PermissionDenied
    except ValidationError as exc:
        form.add_service_errors(exc)
    except PermissionDenied:
        form.add_error(
            None,
            _(
                "You cannot save it like this: the result would be outside what you are allowed to manage."
            ),
        )
    else:
        return saved
    return None


class ScopedListView(LoginRequiredMixin, TemplateView):
    """A filterable, sortable, paginated list of what the user may see.

    Subclasses set `model`, `filterset_class`, `sort_fields` ({key: order_by expression})
    and `template_name`; with htmx, only the `table_template` partial is rendered.
    """

    model = None
    filterset_class = None
    sort_fields: dict[str, str] = {}
    default_sort = ""
    table_template = ""

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user, "view")

    def filtered(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_queryset(), request=self.request
        )
        qs = self.filterset.qs if self.filterset.is_bound else self.filterset.queryset
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key not in self.sort_fields:
            sort, key = self.default_sort, self.default_sort.lstrip("-")
        self.sort = sort
        field = self.sort_fields[key]
        return qs.order_by(f"-{field}" if sort.startswith("-") else field, "pk")

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.table_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qs = self.filtered()
        try:
            size = int(self.request.GET.get("page_size", PAGE_SIZES[0]))
        except ValueError:
            size = PAGE_SIZES[0]
        size = size if size in PAGE_SIZES else PAGE_SIZES[0]
        page = Paginator(qs, size).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context.update(
            filterset=self.filterset,
            page_obj=page,
            objects=page.object_list,
            sort=self.sort,
            query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            page_sizes=PAGE_SIZES,
            page_size=size,
            is_filtered=any(
                v for k, v in self.request.GET.items() if k not in {"page", "sort", "page_size"}
            ),
            scope=scope_for(self.request.user),
        )
        return context


class CsvExportView(ScopedListView):
    """The same filtered list as CSV (UTF-8 with BOM, so Excel opens Chinese text right)."""

    filename = "export.csv"
    columns: list[tuple[str, object]] = []  # (header, row -> value)

    def get(self, request, *args, **kwargs):
        rows = self.filtered().iterator(chunk_size=2000)

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())

        def stream():
            yield "\ufeff"
            yield writer.writerow([str(header) for header, _ in self.columns])
            for row in rows:
                yield writer.writerow([value(row) for _, value in self.columns])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


class ServiceFormView(LoginRequiredMixin, TemplateView):
    """Create or edit through a service, inside a transaction, then re-check the scope.

    Subclasses set `form_class`, `model`, `template_name` and implement `save(form)`
    (calls a service, returns the instance) and `success_url(instance)`.
    """

    form_class = None
    model = None
    action = "change"  # "add" for create views

    def get_instance(self):
        if "pk" not in self.kwargs:
            scope = scope_for(self.request.user)
            if scope.read_all and not scope.write_all:
                raise PermissionDenied  # read-only roles (analyst, finance) create nothing
            return None
        return scoped_object(self.request.user, self.model, "change", pk=self.kwargs["pk"])

    def get_form(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data=data, instance=instance, user=self.request.user)

    def get(self, request, *args, **kwargs):
        instance = self.object = self.get_instance()
        return self.render_to_response(
            self.get_context_data(form=self.get_form(instance), object=instance)
        )

    def post(self, request, *args, **kwargs):
        instance = self.object = self.get_instance()
        form = self.get_form(instance)
        if form.is_valid():
            action = "add" if instance is None else "change"
            saved = save_in_scope(request.user, form, lambda: self.save(form), action)
            if saved is not None:
                return redirect(self.success_url(saved))
        return self.render_to_response(
            self.get_context_data(form=form, object=instance),
            status=400 if request.method == "POST" else 200,
        )

    def save(self, form):
        raise NotImplementedError

    def success_url(self, instance):
        return instance.get_absolute_url()


class ServiceDeleteView(LoginRequiredMixin, View):
    """POST-only delete through a service; GET shows a confirmation page."""

    model = None
    template_name = "core/confirm_delete.html"

    def get_instance(self):
        return scoped_object(self.request.user, self.model, "delete", pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        context = {"object": instance, "cancel_url": instance.get_absolute_url()}
        return render(request, self.template_name, context)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        try:
            with transaction.atomic():
                url = self.delete(instance)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(instance.get_absolute_url())
        messages.success(request, _("Deleted: {name}").format(name=instance))
        return redirect(url)

    def delete(self, instance) -> str:
        raise NotImplementedError

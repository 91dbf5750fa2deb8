"""Import and export pages: upload → preview of every error (a dry run) → confirm.

The uploaded file waits in VAR_DIR/imports/ under a random token kept in the user's
session, so confirming does not upload it again; it is deleted once imported (and files
older than a day are swept at the next upload).
"""

from __future__ import annotations

import io
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from gridsales.core.io.runner import UnknownKind, get_exporter, get_importer, run_import

SESSION_KEY = "gridsales_imports"
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
KEEP_SECONDS = 24 * 3600


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the valid rows and skip the invalid ones"), required=False
    )

    def __init__(self, *args, importer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(importer.suffixes)
        for name, field in importer.form_fields().items():
            self.fields[name] = field
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class ImportPageView(LoginRequiredMixin, View):
    """`/import/<kind>/`: upload, preview every error, confirm. 403 for users who may not
    import this kind; 404 for a kind nobody registered."""

    template_name = "core/import.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.importer = get_importer(kwargs["kind"])
        except UnknownKind as exc:
            raise Http404 from exc
        self.kind = kwargs["kind"]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.importer.check_user(request.user)  # PermissionDenied → 403
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, form, report=None, token=None, status=200):
        context = {
            "kind": self.kind,
            "importer": self.importer,
            "form": form,
            "report": report,
            "token": token,
            "section": getattr(self.importer, "section", ""),
            "back_url": getattr(self.importer, "list_url", lambda: "/")(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, kind):
        return self.render_page(ImportForm(importer=self.importer))

    def post(self, request, kind):
        if request.POST.get("token"):
            return self.confirm(request)
        form = ImportForm(request.POST, request.FILES, importer=self.importer)
        if not form.is_valid():
            return self.render_page(form, status=400)
        upload = form.cleaned_data["file"]
        folder = upload_dir()
        _sweep(folder)
        token = secrets.token_urlsafe(16)
        with open(folder / f"{token}.upload", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        options = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("file", "skip_invalid") and v not in (None, "")
        }
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {
            "kind": self.kind,
            "name": upload.name,
            "options": options,
            "skip_invalid": form.cleaned_data["skip_invalid"],
        }
        request.session[SESSION_KEY] = pending
        report = run_import(
            self.kind,
            user=request.user,
            data=(folder / f"{token}.upload").read_bytes(),
            file_name=upload.name,
            options=options,
            dry_run=True,
            skip_invalid=form.cleaned_data["skip_invalid"],
        )
        can_confirm = report.ok or (form.cleaned_data["skip_invalid"] and report.rows)
        return self.render_page(
            form, report=report, token=token if can_confirm else None, status=200
        )

    def confirm(self, request):
        token = request.POST["token"]
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.pop(token, None)
        path = upload_dir() / f"{token}.upload"
        if entry is None or entry["kind"] != self.kind or not path.exists():
            messages.error(request, _("The uploaded file has expired; please upload it again."))
            return redirect(request.path)
        request.session[SESSION_KEY] = pending
        try:
            report = run_import(
                self.kind,
                user=request.user,
                data=path.read_bytes(),
                file_name=entry["name"],
                options=entry["options"],
                skip_invalid=entry["skip_invalid"],
            )
        finally:
            path.unlink(missing_ok=True)
        if report.written:
            messages.success(request, report.summary())
        return self.render_page(
            ImportForm(importer=self.importer), report=report, status=200 if report.written else 400
        )


class ExportPageView(LoginRequiredMixin, View):
    """`/export/<kind>.<fmt>`: the user's scoped rows, filtered like the list page."""

    def get(self, request, kind, fmt):
        try:
            exporter = get_exporter(kind)
        except UnknownKind as exc:
            raise Http404 from exc
        if fmt not in exporter.formats:
            raise Http404
        if not request.user.is_active:
            raise PermissionDenied
        buffer = io.BytesIO()
        exporter.write(user=request.user, fmt=fmt, stream=buffer, params=request.GET)
        response = HttpResponse(buffer.getvalue(), content_type=exporter.content_types[fmt])
        response["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
        return response

"""API import/export endpoints, one pair per registered kind (see gridsales/api.py).

POST …/import/ (multipart: `file`, `dry_run`, `skip_invalid` and the kind's options)
answers the import report: 200 when valid (written unless dry_run), 400 when not, 403 for
users who may not import. GET …/export/?format=… streams the user's scoped rows, filtered
with the same parameters as the list endpoint.
"""

from __future__ import annotations

import io
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.core.context import current_user
from gridsales.core.io.runner import get_exporter, get_importer, run_import

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class _FileRenderer(BaseRenderer):
    """Lets DRF's content negotiation accept ?format=csv|xlsx|geojson. The view answers
    with a ready HttpResponse; render() only renders errors (as JSON)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _renderer(fmt: str, content_type: str):
    # Without parameters: DRF holds "text/csv; charset=utf-8" and "*/*" as different.
    media_type = content_type.split(";")[0].strip()
    return type(
        f"{fmt.title()}Renderer", (_FileRenderer,), {"format": fmt, "media_type": media_type}
    )


REPORT_SCHEMA = inline_serializer(
    "ImportReport",
    {
        "kind": serializers.CharField(),
        "file_name": serializers.CharField(),
        "encoding": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "written": serializers.BooleanField(),
        "valid": serializers.BooleanField(),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "summary": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "warnings": serializers.ListField(child=serializers.DictField()),
    },
)


def _flag(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


class ImportAPIView(APIView):
    kind = ""
    option_names: tuple[str, ...] = ()
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    def post(self, request):
        importer = get_importer(self.kind)
        importer.check_user(request.user)
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": [_("Upload a file.")]})
        if upload.size > MAX_UPLOAD_BYTES:
            raise exceptions.ValidationError({"file": [_("The file is too large.")]})
        options = {n: request.data[n] for n in self.option_names if request.data.get(n)}
        report = run_import(
            self.kind,
            user=request.user,
            data=upload.read(),
            file_name=upload.name,
            options=options,
            dry_run=_flag(request.data.get("dry_run", "")),
            skip_invalid=_flag(request.data.get("skip_invalid", "")),
        )
        status = 200 if report.ok or report.written else 400
        return Response(report.as_dict(), status=status)


class ExportAPIView(APIView):
    kind = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    def get_renderers(self):
        exporter = get_exporter(self.kind)
        # JSON first: errors (and requests without ?format=) fall back to it.
        return [JSONRenderer()] + [_renderer(f, t)() for f, t in exporter.content_types.items()]

    def get(self, request):
        exporter = get_exporter(self.kind)
        fmt = request.query_params.get("format") or exporter.formats[0]
        if fmt not in exporter.formats:
            raise exceptions.ValidationError({"format": [", ".join(exporter.formats)]})
        params = request.query_params.copy()
        params.pop("format", None)
        buffer = io.BytesIO()
        exporter.write(user=request.user, fmt=fmt, stream=buffer, params=params)
        response = HttpResponse(buffer.getvalue(), content_type=exporter.content_types[fmt])
        response["Content-Disposition"] = f'attachment; filename="{self.kind}.{fmt}"'
        return response


def import_view(kind: str, options: tuple[str, ...], description: str):
    fields = {
        "file": serializers.FileField(),
        "dry_run": serializers.BooleanField(required=False),
        "skip_invalid": serializers.BooleanField(required=False),
    } | {name: serializers.CharField(required=False) for name in options}
    schema = extend_schema(
        operation_id=f"{kind}_import",
        description=description,
        request={"multipart/form-data": inline_serializer(f"{kind.title()}ImportRequest", fields)},
        responses={200: REPORT_SCHEMA, 400: REPORT_SCHEMA},
        tags=[kind],
    )

    def post(self, request):
        return ImportAPIView.post(self, request)

    # A fresh function per kind: extend_schema marks the function it decorates, and
    # decorating the shared base method would give every kind the last kind's schema.
    view = type(
        f"{kind.title()}ImportAPIView",
        (ImportAPIView,),
        {"kind": kind, "option_names": options, "post": schema(post)},
    )
    return view.as_view()


def export_view(kind: str, formats: tuple[str, ...], description: str):
    schema = extend_schema(
        operation_id=f"{kind}_export",
        description=description,
        parameters=[OpenApiParameter("format", str, enum=list(formats), required=False)],
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        tags=[kind],
    )

    def get(self, request):
        return ExportAPIView.get(self, request)

    view = type(
        f"{kind.title()}ExportAPIView",
        (ExportAPIView,),
        {"kind": kind, "get": schema(get)},
    )
    return view.as_view()

"""Template helpers: sortable column headers, page links, audit values."""

import json

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str):
    """A <th> whose link sorts by `key`, toggling direction, keeping the other filters."""
    current = context.get("sort", "")
    base = context.get("sort_query", "")
    direction = "-" if current == key else ""
    arrow = "▲" if current == key else ("▼" if current == "-" + key else "")
    href = f"?{base}&sort={direction}{key}" if base else f"?sort={direction}{key}"
    return format_html(
        '<th scope="col"><a class="link-body-emphasis text-decoration-none" href="{}" '
        'hx-get="{}" hx-target="#results" hx-push-url="true">{} <span class="text-muted">{}</span></a></th>',
        href,
        href,
        label,
        arrow,
    )


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    query = context.get("query", "")
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def audit_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 200 else text[:200] + "…"
    return str(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None

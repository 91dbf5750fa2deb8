"""Segment grids: rules on customer fields instead of a boundary.

`Grid.segment_rules` is a list of conditions, all of which must hold:

    [{"field": "industry", "op": "in", "value": ["金融", "保险"]},
     {"field": "tier", "op": "eq", "value": "A"},
     {"field": "tags", "op": "in", "value": ["重点客户"]}]

- fields: code, name, type, industry, tier, status, address, owner (username), tags;
- ops on the text fields: `eq`, `ne` (one string), `in`, `not_in` (a list of strings),
  `prefix`, `contains` (one string);
- ops on `tags`: `in` (has any of the listed tags), `not_in` (has none), `all` (has all).

A segment grid with no conditions matches nobody. When several active segment grids match,
the one with the lowest code wins; a matching segment grid beats any polygon.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

TEXT_FIELDS = ("code", "name", "type", "industry", "tier", "status", "address", "owner")
FIELDS = (*TEXT_FIELDS, "tags")
TEXT_OPS = ("eq", "ne", "in", "not_in", "prefix", "contains")
TAG_OPS = ("in", "not_in", "all")
LIST_OPS = ("in", "not_in", "all")


def validate_rules(rules, choices: Mapping[str, set[str]] | None = None) -> list[str]:
    """Every problem with `rules`, as messages that say what to fix (empty = valid).

    `choices` maps a field to its allowed values (tier, type, status).
    """
    choices = choices or {}
    if not isinstance(rules, list):
        return [_("Segment rules must be a list of conditions.")]
    errors: list[str] = []
    for n, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict) or set(rule) != {"field", "op", "value"}:
            errors.append(
                _('Condition {n}: write it as {{"field": …, "op": …, "value": …}}.').format(n=n)
            )
            continue
        field, op, value = rule["field"], rule["op"], rule["value"]
        if field not in FIELDS:
            errors.append(
                _("Condition {n}: unknown field “{field}”; use one of {fields}.").format(
                    n=n, field=field, fields=", ".join(FIELDS)
                )
            )
            continue
        ops = TAG_OPS if field == "tags" else TEXT_OPS
        if op not in ops:
            errors.append(
                _(
                    "Condition {n}: the field “{field}” takes the operators {ops}, not “{op}”."
                ).format(n=n, field=field, ops=", ".join(ops), op=op)
            )
            continue
        if op in LIST_OPS:
            ok = isinstance(value, list) and value and all(isinstance(v, str) for v in value)
            if not ok:
                errors.append(
                    _("Condition {n}: “{op}” needs a non-empty list of texts.").format(n=n, op=op)
                )
                continue
            values = value
        else:
            if not isinstance(value, str) or not value:
                errors.append(
                    _("Condition {n}: “{op}” needs one non-empty text.").format(n=n, op=op)
                )
                continue
            values = [value]
        allowed = choices.get(field)
        if allowed and op in ("eq", "ne", "in", "not_in"):
            wrong = [v for v in values if v not in allowed]
            if wrong:
                errors.append(
                    _(
                        "Condition {n}: “{value}” is not a valid {field}; use one of {allowed}."
                    ).format(n=n, value=wrong[0], field=field, allowed=", ".join(sorted(allowed)))
                )
    return errors


def _holds(rule: dict, customer: Mapping) -> bool:
    field, op, value = rule["field"], rule["op"], rule["value"]
    if field == "tags":
        tags = set(customer.get("tags") or [])
        if op == "in":
            return bool(tags.intersection(value))
        if op == "not_in":
            return not tags.intersection(value)
        return set(value) <= tags
    text = customer.get(field) or ""
    if op == "eq":
        return text == value
    if op == "ne":
        return text != value
    if op == "in":
        return text in value
    if op == "not_in":
        return text not in value
    if op == "prefix":
        return text.startswith(value)
    return value in text


def matches(rules: list[dict], customer: Mapping) -> bool:
    """True when every condition holds for `customer` (a mapping of field → value)."""
    return bool(rules) and all(_holds(rule, customer) for rule in rules)


def first_match(segments: list[tuple[int, list[dict]]], customer: Mapping) -> int | None:
    """The id of the first (lowest-code) segment whose rules match, given in code order."""
    for grid_id, rules in segments:
        if matches(rules, customer):
            return grid_id
    return None

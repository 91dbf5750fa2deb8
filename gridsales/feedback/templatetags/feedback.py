from django import template

from gridsales.core.scope import scope_for

register = template.Library()


@register.filter
def may_raise_feedback(user) -> bool:
    """Everyone signed in raises feedback except the read-only roles (analyst, finance)."""
    scope = scope_for(user)
    return scope.user_id is not None and (scope.write_all or not scope.read_all)

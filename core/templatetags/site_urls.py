"""`{% site_url "home" %}` (a builtin, settings TEMPLATES): `{% url "home" %}` for a page without arguments, reversed once per
process (core.addresses). The layout's links use it on every page."""

from django import template

from core.addresses import address

register = template.Library()


@register.simple_tag
def site_url(name: str) -> str:
    return address(name)

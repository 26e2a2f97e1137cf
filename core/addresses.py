"""The address of a page that takes no arguments, reversed once per process (the navigation and
the layout's links: a dozen `reverse` calls on every page otherwise, each dearer than the rest of
the link). Keyed by what reverse depends on: the script prefix and the URL resolver in force
(Django makes a new one when ROOT_URLCONF changes, as some tests do, or a request sets its own
URLconf), so each gets its own addresses."""

from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse

_ADDRESSES: dict[tuple, str | NoReverseMatch] = {}


def address(name: str) -> str:
    """reverse(name), remembered; NoReverseMatch as reverse raises it (remembered too)."""
    key = (get_script_prefix(), get_resolver(get_urlconf()), name)
    try:
        found = _ADDRESSES[key]
    except KeyError:
        try:
            found = reverse(name)
        except NoReverseMatch as missing:
            found = missing
        _ADDRESSES[key] = found
    if isinstance(found, NoReverseMatch):
        raise found
    return found

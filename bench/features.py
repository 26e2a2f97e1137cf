"""Where each measured feature lives, found at run time.

The features are built in parallel; each finder returns what the bench needs or raises
Unavailable with the reason that is printed in the table instead of a figure.
"""

from importlib import import_module

from django.urls import NoReverseMatch, reverse


class Unavailable(Exception):
    """A measured feature is not on main: its row prints "not available: <why>"."""


def url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch as exc:
        raise Unavailable(f"no URL named {name!r} on this branch") from exc


def attribute(dotted: str):
    module_name, _, name = dotted.rpartition(".")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        raise Unavailable(f"{module_name} is not on this branch") from exc
    try:
        return getattr(module, name)
    except AttributeError as exc:
        raise Unavailable(f"{dotted} is not on this branch") from exc


def first_attribute(*dotted: str):
    reasons = []
    for candidate in dotted:
        try:
            return attribute(candidate)
        except Unavailable as exc:
            reasons.append(str(exc))
    raise Unavailable("; ".join(reasons))

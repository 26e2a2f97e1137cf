"""Walk the URLconf: every leaf pattern with its full route and qualified name."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass
class Entry:
    name: str | None  # namespace-qualified, e.g. "referrals:resume"
    parts: list  # the pattern objects from the root to the leaf
    callback: object

    @property
    def route(self) -> str:
        return "".join(str(p.pattern) for p in self.parts)

    @property
    def is_regex(self) -> bool:
        return any(isinstance(p.pattern, RegexPattern) for p in self.parts)


def url_patterns(resolver=None, namespaces=(), parts=()) -> list[Entry]:
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            found += url_patterns(pattern, ns, (*parts, pattern))
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            found.append(Entry(name, [*parts, pattern], pattern.callback))
    return found


def converters(entry: Entry) -> dict:
    """kwarg name -> converter for route patterns; regex groups map to None."""
    out = {}
    for part in entry.parts:
        if isinstance(part.pattern, RoutePattern):
            out.update(part.pattern.converters)
        else:
            out.update({name: None for name in part.pattern.regex.groupindex})
    return out


ROUTE_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def build_path(entry: Entry, value_for) -> tuple[str, dict]:
    """The entry's URL with every parameter filled by value_for(name, converter_name, regex);
    returns the path and the values used."""
    used = {}
    out = "/"
    for part in entry.parts:
        pattern = part.pattern
        if isinstance(pattern, RoutePattern):
            def route_sub(match):
                value = value_for(match["name"], match["conv"] or "str", None)
                used[match["name"]] = value
                return str(value)

            out += ROUTE_PARAM.sub(route_sub, str(pattern))
        else:
            def regex_sub(match):
                value = value_for(match["name"], None, match["body"])
                used[match["name"]] = value
                return str(value)

            text = str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")
            out += REGEX_GROUP.sub(regex_sub, text)
    return out, used

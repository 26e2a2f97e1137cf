"""Walk the URLconf: every leaf pattern with its full route and qualified name."""

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

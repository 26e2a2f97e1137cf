"""Search, status filter and pages for the referrer's and the lead's lists (issue 18: "Your
referrals" stopped silently at 200). The query count does not grow with the page size: one
COUNT, one page of rows, and the list's fixed prefetches.

Search is by reference for everyone; the referrer may also search by the person's name, which
they wrote themselves. The lead's list is never searched by name: the lead does not see names.

The search text may be a person's name, so it never goes into a URL (docs/security.md, "Nothing
personal in URLs"): the form is POSTed, the text is kept in the session for that list
(`search_remember`, post/redirect/get) and the page links carry only the status and the page.
"""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils.http import urlencode

from core.vocabulary import Status

# Status filter: groups a person recognises, each a set of statuses.
STATUS_GROUPS = {
    "waiting": ("Waiting for a decision", Status.awaiting_decision()),
    "decided": ("Decision made", (Status.CONCERN_DECIDED, Status.MASH_DECIDED)),
    "enquiry": ("Safeguarding enquiry or plan", (Status.ENQUIRY, Status.PLAN_REVIEW)),
    "finished": ("Closed, withdrawn or merged", Status.finished()),
}


class ListSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, strip=True)
    status = forms.ChoiceField(
        required=False, choices=[("", "All")] + [(k, v[0]) for k, v in STATUS_GROUPS.items()])


@dataclass(frozen=True)
class Listing:
    page: Page
    form: ListSearchForm
    query: str  # the filters as a query string, for the page links
    searched: bool
    pages: list  # GOV.UK pagination items: (number, url, current) or None for an ellipsis


def _page_items(page: Page, query: str) -> list:
    numbers = sorted({1, page.paginator.num_pages, page.number - 1, page.number,
                      page.number + 1} & set(page.paginator.page_range))
    items, last = [], 0
    for number in numbers:
        if number - last > 1:
            items.append(None)
        items.append((number, f"?{query}{'&' if query else ''}page={number}", number == page.number))
        last = number
    return items


def _session_key(key: str) -> str:
    return f"list-search:{key}"


def search_remember(request, key: str) -> str:
    """The list's search form, POSTed: keep the text in the session (never in a URL) and
    answer the URL to redirect to, holding only the status filter. "Clear search" forgets it."""
    form = ListSearchForm(request.POST)
    text, status = "", ""
    if "clear" not in request.POST and form.is_valid():
        text, status = form.cleaned_data["q"], form.cleaned_data["status"]
    if text:
        request.session[_session_key(key)] = text
    else:
        request.session.pop(_session_key(key), None)
    return request.path + (f"?{urlencode({'status': status})}" if status else "")


def listing(request, referrals: QuerySet, *, by_name: bool, key: str) -> Listing:
    """Filter `referrals` (already scoped by the access policy) by the search kept in the
    session for list `key` and the status in the query string, and take the requested page (an
    out-of-range page number gives the last page). A `q` in the query string is ignored."""
    data = {"q": request.session.get(_session_key(key), ""),
            "status": request.GET.get("status", "")}
    form = ListSearchForm(data if any(data.values()) else None)
    query, text = {}, ""
    if form.is_valid():
        text = form.cleaned_data["q"]
        if text:
            match = Q(reference__icontains=text)
            if by_name:
                match |= Q(person_name__icontains=text)
            referrals = referrals.filter(match)
        group = form.cleaned_data["status"]
        if group:
            referrals = referrals.filter(status__in=STATUS_GROUPS[group][1])
            query["status"] = group
    encoded = urlencode(query)
    page = Paginator(referrals, settings.REFERRAL_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return Listing(page=page, form=form, query=encoded, searched=bool(query or text),
                   pages=_page_items(page, encoded) if page.paginator.num_pages > 1 else [])

"""Search, status filter and pages for the referrer's and the lead's lists (issue 18: "Your
referrals" stopped silently at 200). The query count does not grow with the page size: one
COUNT, one page of rows, and the list's fixed prefetches.

Search is by reference for everyone; the referrer may also search by the person's name, which
they wrote themselves. The lead's list is never searched by name: the lead does not see names.
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


def listing(request, referrals: QuerySet, *, by_name: bool) -> Listing:
    """Filter `referrals` (already scoped by the access policy) by the request's search and
    status, and take the requested page (an out-of-range page number gives the last page)."""
    form = ListSearchForm(request.GET or None)
    query = {}
    if form.is_valid():
        text = form.cleaned_data["q"]
        if text:
            match = Q(reference__icontains=text)
            if by_name:
                match |= Q(person_name__icontains=text)
            referrals = referrals.filter(match)
            query["q"] = text
        group = form.cleaned_data["status"]
        if group:
            referrals = referrals.filter(status__in=STATUS_GROUPS[group][1])
            query["status"] = group
    encoded = urlencode(query)
    page = Paginator(referrals, settings.REFERRAL_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return Listing(page=page, form=form, query=encoded, searched=bool(query),
                   pages=_page_items(page, encoded) if page.paginator.num_pages > 1 else [])

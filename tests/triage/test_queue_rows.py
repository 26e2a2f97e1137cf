"""The queue's and the workload page's rows are made from strings triage.selectors.decorate
computes once per row (the page's cost was its rendering: a `{% url %}`, two date filters and an
include per row). The HTML must not change: each table is compared byte for byte with the row
templates as they were before, kept here as the reference."""

from datetime import timedelta

import pytest
from django.template import Context, Engine
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from pathways.deadlines import deadline_pause
from pathways.models import PauseReason
from referrals.models import Referral

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=8)  # a concern's decision received this long ago is overdue

# templates/triage/_rows.html, _assign_rows.html and _due_tag.html before the row strings.
OLD_ROWS = """<table class="govuk-table portal-table--stack">
  <caption class="govuk-table__caption govuk-table__caption--m">{{ caption }}</caption>
  <thead class="govuk-table__head">
    <tr class="govuk-table__row">
      <th scope="col" class="govuk-table__header">Reference</th>
      <th scope="col" class="govuk-table__header">Age band</th>
      <th scope="col" class="govuk-table__header">Categories</th>
      <th scope="col" class="govuk-table__header">Urgency</th>
      <th scope="col" class="govuk-table__header">Status</th>
      <th scope="col" class="govuk-table__header">Received</th>
      <th scope="col" class="govuk-table__header">Due</th>
      <th scope="col" class="govuk-table__header">Assignee</th>
    </tr>
  </thead>
  <tbody class="govuk-table__body">
    {% for r in rows %}
    <tr class="govuk-table__row" data-reference="{{ r.reference }}">
      <td class="govuk-table__cell" data-label="Reference"><a class="govuk-link" href="{% url 'triage:referral' r.pk %}">{{ r.reference }}</a></td>
      <td class="govuk-table__cell" data-label="Age band">{{ r.band }}</td>
      <td class="govuk-table__cell" data-label="Categories">{{ r.category_labels|join:", "|default:"Not given" }}</td>
      <td class="govuk-table__cell" data-label="Urgency">{% if r.urgent %}<strong class="govuk-tag govuk-tag--red">Urgent</strong>{% else %}Not urgent{% endif %}</td>
      <td class="govuk-table__cell" data-label="Status">{{ r.status_label }}</td>
      <td class="govuk-table__cell" data-label="Received">{% if r.received_at %}{{ r.received_at|date_time_short }}{% else %}Not received{% endif %}</td>
      <td class="govuk-table__cell" data-label="Due">{% include "triage/_due_tag.html" with due=r.due %}</td>
      <td class="govuk-table__cell" data-label="Assignee">{{ r.assignee.full_name|default:"Unassigned" }}</td>
    </tr>
    {% empty %}
    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="8">{{ empty }}</td></tr>
    {% endfor %}
  </tbody>
</table>
"""
OLD_ASSIGN_ROWS = """<table class="govuk-table portal-table--stack">
  <caption class="govuk-table__caption govuk-table__caption--m">{{ caption }}</caption>
  <thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Reference</th><th scope="col" class="govuk-table__header">Urgency</th><th scope="col" class="govuk-table__header">Received</th><th scope="col" class="govuk-table__header">Due</th><th scope="col" class="govuk-table__header">Assignee</th><th scope="col" class="govuk-table__header">Reassign</th></tr></thead>
  <tbody class="govuk-table__body">
  {% for r in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell" data-label="Reference"><a class="govuk-link" href="{% url 'triage:referral' r.pk %}">{{ r.reference }}</a></td>
      <td class="govuk-table__cell" data-label="Urgency">{% if r.urgent %}<strong class="govuk-tag govuk-tag--red">Urgent</strong>{% else %}Not urgent{% endif %}</td>
      <td class="govuk-table__cell" data-label="Received">{{ r.received_at|date_time_short }}</td>
      <td class="govuk-table__cell" data-label="Due">{% include "triage/_due_tag.html" with due=r.due %}</td>
      <td class="govuk-table__cell" data-label="Assignee">{{ r.assignee.full_name|default:"Unassigned" }}</td>
      <td class="govuk-table__cell" data-label="Reassign">
        <form method="post" action="{% url 'triage:assign' r.pk %}" class="portal-reassign">{% csrf_token %}
          <input type="hidden" name="next" value="workload">
          <label class="govuk-label govuk-visually-hidden" for="assign-{{ caption|slugify }}-{{ r.pk }}">Assign {{ r.reference }} to</label>
          <select class="govuk-select" id="assign-{{ caption|slugify }}-{{ r.pk }}" name="assignee">
            {% for value, label in assign_form.fields.assignee.choices %}<option value="{{ value }}"{% if value|stringformat:"s" == r.assignee_id|stringformat:"s" %} selected{% endif %}>{{ label }}</option>{% endfor %}
          </select>
          <button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">Assign<span class="govuk-visually-hidden"> {{ r.reference }}</span></button>
        </form>
      </td>
    </tr>
  {% empty %}<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="6">{{ empty }}</td></tr>{% endfor %}
  </tbody>
</table>
"""
OLD_DUE_TAG = """{# The queue's due tag: a few words read at a glance; the full sentence for screen readers (and on the referral page). #}<strong class="govuk-tag {{ due.tag }} portal-tag--short">{{ due.short }}</strong><span class="govuk-visually-hidden">. {{ due.text }}</span>
"""
OLD = Engine(
    loaders=[("django.template.loaders.locmem.Loader", {
        "old/_rows.html": OLD_ROWS, "old/_assign_rows.html": OLD_ASSIGN_ROWS,
        "triage/_due_tag.html": OLD_DUE_TAG,
    })],
    builtins=["core.templatetags.govuk_time"],
)


def _old(name, context):
    return OLD.get_template(f"old/{name}").render(Context(context))


def _new(name, context):
    return get_template(f"triage/{name}").render(context)


@pytest.fixture
def varied(make_referral, oppd_worker, staff_member):
    """Rows that cover the row's branches: urgent or not, assigned or not (a name that needs
    escaping), overdue, due, paused, one category or two (a referral cannot be sent without
    one: test_a_row_without_categories_or_received_time_as_before covers none)."""
    awkward = staff_member("oppd", email="obrien@council.example.gov.uk")
    awkward.full_name = "Siobhán O'Brien & <Co>"
    awkward.save(update_fields=["full_name"])
    now = timezone.now()
    rows = {
        "urgent_assigned_overdue": make_referral(urgent=True, received_at=now - LONG_AGO,
                                                 assignee=awkward),
        "due_unassigned": make_referral(received_at=now - timedelta(minutes=10)),
        "assigned": make_referral(received_at=now - timedelta(hours=2), assignee=oppd_worker),
        "two_categories": make_referral(received_at=now - timedelta(days=2),
                                        categories=("neglect", "financial")),
        "paused": make_referral(received_at=now - timedelta(hours=3)),
    }
    paused = rows["paused"]
    deadline_pause(referral=paused, kind=paused.deadlines.filter(met_at=None).first().kind,
                   at=now - timedelta(hours=1), reason=PauseReason.POLICE)
    return rows


def test_the_queue_rows_are_byte_identical_to_the_templates_before(client, oppd_worker,
                                                                    varied):
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:queue"))
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert {r.pk for r in rows} == {r.pk for r in varied.values()}
    keys = {r.due.key for r in rows}
    assert {"overdue", "paused"} <= keys and keys - {"overdue", "paused"}  # and one running
    assert any(len(r.category_labels) == 2 for r in rows)
    assert any(r.urgent for r in rows) and not all(r.urgent for r in rows)
    assert any(r.assignee is None for r in rows) and any(r.assignee for r in rows)
    # A string literal in the include is safe (not escaped), as mark_safe makes it here.
    context = {"rows": rows, "caption": mark_safe("Your team's open referrals"),
               "empty": "No referrals match."}
    old = _old("_rows.html", context)
    assert _new("_rows.html", context) == old
    assert old in response.content.decode()  # the page shows exactly the old rows
    assert "Siobhán O&#x27;Brien &amp; &lt;Co&gt;" in old
    empty = {"rows": [], "caption": "Search results", "empty": "Nothing & no one."}
    assert _new("_rows.html", empty) == _old("_rows.html", empty)


def test_search_results_rows_are_byte_identical_too(oppd_worker, varied):
    from triage.selectors import rows_by_ids

    rows = rows_by_ids(user=oppd_worker, ids=[r.pk for r in varied.values()],
                       now=timezone.now())
    assert len(rows) == len(varied)
    context = {"rows": rows, "caption": "Search results", "empty": "None."}
    assert _new("_rows.html", context) == _old("_rows.html", context)


def test_a_row_without_categories_or_received_time_as_before(oppd_worker, varied):
    """Neither reaches a queue through the services (the form asks for a category; a referral
    is received when sent), but the templates had words for both: so do the row strings."""
    from triage.selectors import decorate

    row = Referral.objects.select_related("assignee").get(pk=varied["due_unassigned"].pk)
    row.received_at, row.categories = None, []  # in memory only
    decorate([row], now=timezone.now())
    context = {"rows": [row], "caption": "Search results", "empty": "None."}
    new = _new("_rows.html", context)
    assert new == _old("_rows.html", context)
    assert "Not received" in new and "Not given" in new


def test_the_workload_rows_are_byte_identical_to_the_template_before(client, oppd_manager,
                                                                      varied):
    client.force_login(oppd_manager)
    response = client.get(reverse("triage:workload"))
    assert response.status_code == 200
    for name, caption in (("urgent", "Unassigned urgent referrals"), ("overdue", "Overdue")):
        rows = response.context[name]
        assert rows or name == "urgent"
        context = {"rows": rows, "caption": caption, "empty": "None.",
                   "assign_form": response.context["assign_form"], "csrf_token": "fixed"}
        assert _new("_assign_rows.html", context) == _old("_assign_rows.html", context)
    assert any(r.assignee for r in response.context["overdue"])


# The queue's filter selects before their options were made once per process.
OLD_OPTIONS = (
    '{% for value, label in statuses %}<option value="{{ value }}"{% if filters.status == value %}'
    ' selected{% endif %}>{{ label }}</option>{% endfor %}|'
    '{% for value, label in categories %}<option value="{{ value }}"{% if filters.category == '
    'value %} selected{% endif %}>{{ label }}</option>{% endfor %}'
)


def test_the_filter_options_are_byte_identical_to_the_loops_before(client, oppd_worker):
    from core.vocabulary import Status
    from triage.forms import FILTER_CATEGORIES, filter_options_html
    from triage.selectors import CATEGORIES, QueueFilters

    old = OLD.from_string(OLD_OPTIONS)
    client.force_login(oppd_worker)
    choices = [{}] + [{"status": s} for s in Status.open()] + [{"category": c}
                                                              for c in CATEGORIES]
    for query in choices + [{"status": "closed", "category": "nonsense"}]:
        filters = QueueFilters.from_query(query)
        before = old.render(Context({
            "filters": filters, "categories": FILTER_CATEGORIES,
            "statuses": [(s, Status(s).label) for s in Status.open()]}))
        now = (filter_options_html("status", filters.status) + "|"
               + filter_options_html("category", filters.category))
        assert now == before
        body = client.get(reverse("triage:queue"), query).content.decode()
        status, category = before.split("|")
        assert status in body and category in body
        assert before.count(" selected") == bool(filters.status) + 1  # "Any" category or one

"""The queue, search, the staff referral page and the workload page, through the client."""

import itertools
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.vocabulary import Status
from feedback.models import FeedbackRecord
from pathways import deadlines
from pathways.calendar import LONDON
from pathways.models import Deadline
from referrals.models import Referral
from tests.factories.feedback import send_pending
from triage.models import InternalNote

pytestmark = pytest.mark.django_db

QUEUE = "/triage/"
# Received this long ago, a concern's decision (due 17:00 that working day, or the next) is
# overdue whatever the day or hour the test runs; received just now, it is not yet due.
LONG_AGO = timedelta(days=8)
# A Monday in working hours: every concern received that day is due at 17:00.
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def _refs(response):
    return [r.reference for r in response.context["page"].rows]


def test_queue_shows_only_the_team_urgent_first_then_next_due(client, make_referral,
                                                              oppd_worker):
    now = timezone.now()
    later = make_referral(received_at=now)
    sooner = make_referral(received_at=now - LONG_AGO)
    urgent = make_referral(received_at=now - timedelta(minutes=5), urgent=True)
    mash = make_referral(pathway="mash", urgent=True)
    closed = make_referral(status=Status.CLOSED)
    client.force_login(oppd_worker)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert _refs(response) == [urgent.reference, sooner.reference, later.reference]
    body = response.content.decode()
    assert mash.reference not in body and closed.reference not in body
    assert "Margaret Ellison" not in body  # never the name in the list
    assert "Urgent" in body and "26 to 64" not in body and "85 and over" in body


def test_equal_due_times_put_the_referral_received_first_first(client, make_referral,
                                                              oppd_worker):
    """Every concern received on one day is due at 17:00: the draft begun first (lower id) but
    sent later must not jump the queue, on the first page or across a page break."""
    now = timezone.now()
    sent_later = make_referral(received_at=MONDAY + timedelta(hours=3))
    sent_first = make_referral(received_at=MONDAY)
    assert sent_later.next_due_at == sent_first.next_due_at  # both 17:00 that Monday
    client.force_login(oppd_worker)
    assert _refs(client.get(QUEUE)) == [sent_first.reference, sent_later.reference]

    from triage.selectors import QueueFilters, queue_page

    team = sent_first.team
    first = queue_page(user=oppd_worker, team=team, filters=QueueFilters(), now=now, size=1)
    assert [r.pk for r in first.rows] == [sent_first.pk]
    second = queue_page(user=oppd_worker, team=team, filters=QueueFilters(), now=now,
                        after=first.next_cursor, size=1)
    assert [r.pk for r in second.rows] == [sent_later.pk]


def test_due_in_is_text_not_colour(client, make_referral, oppd_worker):
    from triage.selectors import QueueFilters, queue_page

    overdue = make_referral(received_at=timezone.now() - LONG_AGO)
    client.force_login(oppd_worker)
    row = client.get(QUEUE).context["page"].rows[0]
    assert row.pk == overdue.pk and row.due.key == "overdue"
    assert row.due.text.startswith("Overdue")
    assert "Overdue" in client.get(QUEUE).content.decode()
    # An hour before a 17:00 deadline is within its two-hour warning: the queue read at that
    # moment (time is a parameter of the selector) says so in words.
    soon = make_referral(received_at=MONDAY)
    page = queue_page(user=oppd_worker, team=soon.team, filters=QueueFilters(),
                      now=soon.next_due_at - timedelta(hours=1))
    row = next(r for r in page.rows if r.pk == soon.pk)
    assert row.due.key == "due_soon" and row.due.text.startswith("Due within two working hours")


def test_filters(client, make_referral, oppd_worker):
    now = timezone.now()
    mine = make_referral(categories=["financial"], assignee=oppd_worker, received_at=now)
    # Received just now: its one-hour urgent pick-up clock is not yet overdue.
    urgent = make_referral(urgent=True, categories=["physical", "neglect"], received_at=now)
    late = make_referral(received_at=now - LONG_AGO)
    client.force_login(oppd_worker)
    assert _refs(client.get(QUEUE, {"assignee": "me"})) == [mine.reference]
    assert mine.reference not in _refs(client.get(QUEUE, {"assignee": "unassigned"}))
    assert _refs(client.get(QUEUE, {"urgency": "urgent"})) == [urgent.reference]
    assert _refs(client.get(QUEUE, {"category": "financial"})) == [mine.reference]
    assert _refs(client.get(QUEUE, {"overdue": "yes"})) == [late.reference]
    assert _refs(client.get(QUEUE, {"status": "enquiry"})) == []


def test_keyset_pages_walk_the_whole_queue_once(client, make_referral, oppd_worker):
    # 30 made through the services: more than one page of 25, so the walk crosses a page break.
    made = [make_referral(urgent=i % 3 == 0, received_at=timezone.now() - timedelta(minutes=i))
            for i in range(30)]
    client.force_login(oppd_worker)
    seen, url = [], QUEUE
    while url:
        response = client.get(url)
        page = response.context["page"]
        seen += [r.pk for r in page.rows]
        url = f"{QUEUE}?after={page.next_cursor}" if page.next_cursor else None
    assert sorted(seen) == sorted(r.pk for r in made) and len(seen) == len(set(seen))
    urgent_flags = [Referral.objects.get(pk=pk).urgent for pk in seen]
    assert urgent_flags == sorted(urgent_flags, reverse=True)


_bulk_numbers = itertools.count(1)


def _bulk(team_pathway, referrer, n):
    """A thousand queued referrals in one statement each: kept as bulk SQL on purpose, because
    the query-count test needs a queue of 1000 and building that many through the submission
    service would take minutes. The rows are the shape submission leaves (submitted, the
    team's group granted view and triage, one decision clock, next_due_at set by the services'
    own statement); only the clock's times are written directly."""
    from django.contrib.auth.models import Permission

    from accounts.models import Team
    from referrals.models import ReferralGroupObjectPermission

    def reference_next():
        return f"TR{next(_bulk_numbers):08d}"

    team = Team.objects.get(pathway=team_pathway)
    now = timezone.now()
    rows = Referral.objects.bulk_create([
        Referral(reference=reference_next(), pathway=team_pathway, team=team,
                 status=Status.SUBMITTED, referrer=referrer, urgent=i % 7 == 0,
                 received_at=now - timedelta(minutes=i), person_name="Bulk Person",
                 categories=["neglect"]) for i in range(n)
    ])
    perms = Permission.objects.filter(content_type__app_label="referrals",
                                      codename__in=["view_referral", "triage_referral"])
    ReferralGroupObjectPermission.objects.bulk_create([
        ReferralGroupObjectPermission(group=team.group, permission=p, content_object=r)
        for r in rows for p in perms
    ])
    Deadline.objects.bulk_create([
        Deadline(referral=r, kind="concern_decision", starts_at=r.received_at,
                 warning_at=r.received_at + timedelta(hours=6),
                 due_at=r.received_at + timedelta(hours=8)) for r in rows
    ])
    with connection.cursor() as cursor:  # the services' statement, once for the lot
        cursor.execute(deadlines.next_clock_sql("id BETWEEN %s AND %s"),
                       [min(r.pk for r in rows), max(r.pk for r in rows)])


def test_queue_query_count_is_constant_from_10_to_1000(client, referrer, oppd_worker,
                                                       django_assert_max_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(oppd_worker)
    _bulk("oppd", referrer, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(QUEUE).status_code == 200
    _bulk("oppd", referrer, 990)
    with django_assert_max_num_queries(len(small)):
        response = client.get(QUEUE)
    assert len(response.context["page"].rows) == 25
    assert not any("COUNT(" in q["sql"].upper() and "referrals_referral" in q["sql"]
                   for q in small.captured_queries)


def test_search_is_posted_kept_in_the_session_and_respects_permissions(
        client, make_referral, oppd_worker):
    ours = make_referral(person_name="Winifred Okonkwo", person_postcode="SE15 4QL")
    theirs = make_referral(pathway="mash", person_name="Winifred Okonkwo",
                           person_postcode="SE15 4QL")
    client.force_login(oppd_worker)
    response = client.post(QUEUE, {"name": "winifred okonkwo"})
    assert response.status_code == 302 and response.url == reverse("triage:queue")
    assert "okonkwo" not in response.url.lower()
    page = client.get(QUEUE)
    results = [r.pk for r in page.context["results"]]
    assert results == [ours.pk]
    assert theirs.reference not in page.content.decode()
    client.post(QUEUE, {"postcode": "se154ql"})
    assert [r.pk for r in client.get(QUEUE).context["results"]] == [ours.pk]
    client.post(QUEUE, {"reference": theirs.reference})
    assert client.get(QUEUE).context["results"] == []
    search = AuditEvent.objects.filter(action="triage.searched").latest("id")
    assert "okonkwo" not in str(search.detail).lower() and "SE15" not in str(search.detail)
    client.post(QUEUE, {"clear_search": "1"})
    assert client.get(QUEUE).context["results"] is None


def test_search_with_nothing_entered_says_so(client, oppd_worker):
    client.force_login(oppd_worker)
    response = client.post(QUEUE, {"dob": "31/02/1950"})
    assert response.status_code == 200
    assert "Enter the date of birth as day/month/year" in response.content.decode()
    assert 'value="31/02/1950"' in response.content.decode()


@pytest.mark.postgres
def test_search_finds_a_misspelt_name_on_postgres(client, make_referral, oppd_worker):
    ours = make_referral(person_name="Margaret Ellison")
    client.force_login(oppd_worker)
    client.post(QUEUE, {"name": "Margret Elison"})
    assert [r.pk for r in client.get(QUEUE).context["results"]] == [ours.pk]


def test_oppd_worker_cannot_reach_a_mash_referral(client, make_referral, oppd_worker,
                                                   mash_worker):
    mash = make_referral(pathway="mash")
    client.force_login(oppd_worker)
    for url in (reverse("triage:referral", args=[mash.pk]),
                reverse("triage:action", args=[mash.pk, "decide"]),
                reverse("triage:action", args=[mash.pk, "rag_rate"])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("triage:claim", args=[mash.pk])).status_code == 404
    assert client.post(reverse("triage:note", args=[mash.pk]), {"text": "x"}).status_code == 404
    assert not InternalNote.objects.exists()
    mash.refresh_from_db()
    assert mash.assignee_id is None
    assert AuditEvent.objects.filter(action="referral.viewed", allowed=False,
                                     detail__referral=mash.pk).exists()
    # The referral work's PDF and attachment downloads: refused to OPPD, served to MASH.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from referrals.models import Attachment

    stored = default_storage.save("triage-test-note.txt", ContentFile(b"school note"))
    item = Attachment.objects.create(referral=mash, stored_name=stored, original_name="note.txt",
                                     content_type="text/plain", size=11)
    pdf = reverse("referrals:pdf", args=[mash.pk])
    attachment = reverse("referrals:attachment", args=[mash.pk, item.pk])
    for url in (pdf, attachment):
        assert client.get(url).status_code in (403, 404), url
    # Those downloads check guardian through the user's groups: the MASH worker is in the
    # MASH team's group (see the report: team membership should imply it).
    mash_worker.groups.add(mash.team.group)
    client.force_login(mash_worker)
    assert client.get(attachment).status_code == 200
    assert client.get(pdf).status_code == 200
    default_storage.delete(stored)


def test_referrers_and_people_without_a_team_are_kept_out(client, make_referral, referrer):
    referral = make_referral()
    client.force_login(referrer)
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("triage:referral", args=[referral.pk])).status_code == 403
    client.logout()
    assert client.get(QUEUE).status_code == 302


def test_referral_page_shows_everything_and_is_audited(client, make_referral, oppd_worker):
    referral = make_referral(urgent=True, urgent_reason="No heating in winter")
    client.force_login(oppd_worker)
    client.post(reverse("triage:note", args=[referral.pk]), {"text": "Called the GP."})
    response = client.get(reverse("triage:referral", args=[referral.pk]))
    body = response.content.decode()
    for text in ("Margaret Ellison", "No heating in winter", "Unopened post", "Called the GP.",
                 "concern_decision", "Take this referral", "Record the decision"):
        assert text.lower() in body.lower(), text
    assert AuditEvent.objects.filter(action="referral.viewed", referral_id=referral.pk,
                                     actor=oppd_worker, allowed=True).exists()


def test_the_timeline_says_what_happened_in_words_not_codes(client, make_referral, oppd_worker):
    """The staff timeline showed the stored codes ("submitted (draft to submitted)")."""
    referral = make_referral()
    client.force_login(oppd_worker)
    body = client.get(reverse("triage:referral", args=[referral.pk])).content.decode()
    timeline = body.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Referral received (draft to received, waiting for a decision)" in timeline
    assert "submitted" not in timeline


def test_possible_duplicates_across_pathways(client, make_referral, oppd_worker):
    referral = make_referral(person_name="Margaret Ellison")
    mash = make_referral(pathway="mash", person_name="margaret ellison")
    elsewhere = make_referral(person_name="Margaret Ellison", person_dob=None,
                              person_postcode="N1 1AA")
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:referral", args=[referral.pk]))
    found = [d.pk for d in response.context["duplicates"]]
    assert mash.pk in found and elsewhere.pk not in found
    body = response.content.decode()
    # Shown, but not linked: the OPPD worker has no access to the MASH referral itself.
    assert mash.reference in body
    assert reverse("triage:referral", args=[mash.pk]) not in body


@pytest.mark.postgres
def test_duplicates_use_trigram_similarity_on_postgres(client, make_referral, oppd_worker):
    referral = make_referral(person_name="Margaret Ellison")
    typo = make_referral(pathway="mental-health", person_name="Margret Elison")
    stranger = make_referral(person_name="Zachary Quinn")
    client.force_login(oppd_worker)
    found = [d.pk for d in client.get(
        reverse("triage:referral", args=[referral.pk])).context["duplicates"]]
    assert typo.pk in found and stranger.pk not in found


def test_decision_form_requires_feedback_and_keeps_input(client, make_referral, oppd_worker):
    referral = make_referral()
    client.force_login(oppd_worker)
    url = reverse("triage:action", args=[referral.pk, "decide"])
    response = client.post(url, {"outcome": "not_safeguarding", "detail": "signposted",
                                 "share": "tell", "outcome_text": "Not a concern.",
                                 "feedback_reason": "No abuse."})
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and "signposting" in body.lower()
    assert "Not a concern." in body
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED and not FeedbackRecord.objects.exists()
    response = client.post(url, {"outcome": "not_safeguarding", "detail": "signposted",
                                 "share": "tell", "outcome_text": "Not a concern.",
                                 "feedback_reason": "No abuse.",
                                 "signposting": "Citizens Advice Southwark.",
                                 "s42_care_needs": "met", "s42_abuse": "not_met",
                                 "s42_unable_to_protect": "not_known"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CONCERN_DECIDED
    assert FeedbackRecord.objects.get(referral=referral).signposting


def test_action_not_available_is_refused(client, make_referral, oppd_worker):
    referral = make_referral(status=Status.CLOSED)
    client.force_login(oppd_worker)
    response = client.get(reverse("triage:action", args=[referral.pk, "decide"]))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="referral.decided", allowed=False).exists()


def test_claim_through_the_page(client, make_referral, oppd_worker, staff_member):
    referral = make_referral()
    client.force_login(oppd_worker)
    client.post(reverse("triage:claim", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.assignee == oppd_worker
    other = staff_member("oppd", email="other@council.example.gov.uk")
    client.force_login(other)
    response = client.post(reverse("triage:claim", args=[referral.pk]), follow=True)
    assert f"{oppd_worker.full_name} has already taken this referral" in response.content.decode()


def test_workload_is_for_managers(client, make_referral, oppd_worker, oppd_manager):
    urgent = make_referral(urgent=True)
    late = make_referral(received_at=timezone.now() - LONG_AGO, assignee=oppd_worker)
    client.force_login(oppd_worker)
    assert client.get(reverse("triage:workload")).status_code == 403
    client.force_login(oppd_manager)
    response = client.get(reverse("triage:workload"))
    assert [r.pk for r in response.context["urgent"]] == [urgent.pk]
    assert late.pk in [r.pk for r in response.context["overdue"]]
    loads = {w["member"].user_id: w["open"] for w in response.context["workload"]}
    assert loads[oppd_worker.pk] == 1
    client.post(reverse("triage:assign", args=[urgent.pk]),
                {"assignee": str(oppd_worker.pk), "next": "workload"})
    urgent.refresh_from_db()
    assert urgent.assignee == oppd_worker


def test_referrals_with_no_clock_running_come_last_and_pages_cross_to_them(make_referral,
                                                                          oppd_worker):
    """next_due_at is NULL without a running clock: last within its urgency, and the keyset
    condition walks from dated to undated rows (and between undated ones) one at a time."""
    from triage.selectors import QueueFilters, queue_page

    # A concern decided "not met" whose feedback has been sent runs no clock until it is
    # closed: the product's own way to an open referral with no due time.
    now = timezone.now()
    undated_old = make_referral(status=Status.CONCERN_DECIDED, received_at=now - timedelta(hours=5))
    undated_new = make_referral(status=Status.CONCERN_DECIDED, received_at=now - timedelta(hours=1))
    urgent_undated = make_referral(status=Status.CONCERN_DECIDED, urgent=True)
    send_pending(now=now)
    dated = make_referral(received_at=now)
    expected = [urgent_undated.pk, dated.pk, undated_old.pk, undated_new.pk]
    seen, after = [], ""
    while True:
        page = queue_page(user=oppd_worker, team=dated.team, filters=QueueFilters(), now=now,
                          after=after, size=1)
        seen += [r.pk for r in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == expected
    keys = [r.due.key for r in queue_page(user=oppd_worker, team=dated.team,
                                          filters=QueueFilters(), now=now).rows]
    # (on time or due soon depends on the working hours between now and then)
    assert keys[0] == keys[2] == keys[3] == "none" and keys[1] in ("on_time", "due_soon")


@pytest.mark.postgres
def test_duplicate_search_puts_the_trigram_threshold_back(make_referral):
    """The search sets pg_trgm's threshold to SIMILARITY for its own query only."""
    from django.db import transaction

    from triage.selectors import duplicates_for

    referral = make_referral(person_name="Margaret Ellison")
    typo = make_referral(pathway="mash", person_name="Margret Elison")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', '0.25', true)")
        assert [d.pk for d in duplicates_for(referral)] == [typo.pk]
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold')")
        assert cursor.fetchone()[0] == "0.25"


def test_referral_page_query_count_does_not_grow_with_possible_duplicates(
        client, make_referral, oppd_worker):
    from django.test.utils import CaptureQueriesContext

    referral = make_referral(person_name="Margaret Ellison")
    client.force_login(oppd_worker)
    url = reverse("triage:referral", args=[referral.pk])
    client.get(url)
    make_referral(pathway="mash", person_name="Margaret Ellison")
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert len(response.context["duplicates"]) == 1
    for _ in range(5):
        make_referral(pathway="mental-health", person_name="Margaret Ellison")
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert len(response.context["duplicates"]) == 6
    assert len(six) == len(one)


def test_workload_query_count_does_not_grow(client, make_referral, oppd_manager, staff_member):
    from django.test.utils import CaptureQueriesContext

    url = reverse("triage:workload")
    client.force_login(oppd_manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response

    queries()  # the session's first request stores the security fingerprint
    worker = staff_member("oppd", email="one@council.example.gov.uk")
    make_referral(urgent=True, received_at=timezone.now())
    make_referral(received_at=timezone.now() - LONG_AGO, assignee=worker)
    one, _ = queries()
    for i in range(6):
        member = staff_member("oppd", email=f"more{i}@council.example.gov.uk")
        make_referral(urgent=True, received_at=timezone.now())
        make_referral(received_at=timezone.now() - LONG_AGO, assignee=member)
    seven, response = queries()
    assert len(response.context["urgent"]) == 7 and len(response.context["overdue"]) == 7
    assert seven == one, f"{one} queries for 1 of each, {seven} for 7"


def test_the_blank_search_form_is_the_one_crispy_renders_and_is_shown_on_the_queue(
        client, oppd_worker):
    """The queue shows the search form rendered once per process (forms.search_form_blank_html):
    it must be exactly what `{% crispy search_form %}` renders for a blank form."""
    from django.template import Context, Template

    from triage.forms import SearchForm, search_form_blank_html

    rendered = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": SearchForm()}))
    assert search_form_blank_html() == rendered
    client.force_login(oppd_worker)
    page = client.get(QUEUE).content.decode()
    assert rendered in page

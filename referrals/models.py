"""The referral: who is at risk, what happened, where it goes, and what has happened since.

Statuses and transitions are data in referrals/workflow.py; the status column carries no
`choices` so the workflow table can change without a schema migration.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.vocabulary import EventKind, MspOutcome, Pathway, Status

QUEUE_STATUSES = Status.open()


class Referral(models.Model):
    # Assigned at submission (referrals.references); a draft has none.
    reference = models.CharField(max_length=12, unique=True, null=True, blank=True)
    pathway = models.CharField(max_length=32, choices=Pathway.choices, blank=True)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(max_length=32, default="draft", db_index=True)
    urgent = models.BooleanField(default=False)
    urgent_reason = models.TextField(blank=True)

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
        related_name="referrals",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_referrals",
    )
    # Issue 15: a colleague in the referrer's organisation the organisation's lead handed the
    # follow-up to (the referrer is away or has left): they follow it and receive its notices
    # (referrals.access.may_follow, accounts.recipients.follow_up_person). None: the referrer.
    # No index of its own: the partial index below (built CONCURRENTLY) covers the few rows
    # with a colleague (tests/portal/test_migrations_concurrent.py).
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="followed_referrals", db_index=False,
    )
    # A linked referral (an adult concern's MASH referral) or the referral this duplicates.
    linked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_referrals"
    )

    # The person at risk.
    person_name = models.CharField(max_length=200, blank=True)
    person_other_names = models.CharField(max_length=200, blank=True)
    person_dob = models.DateField(null=True, blank=True)
    person_age_approx = models.PositiveSmallIntegerField(null=True, blank=True)
    person_address = models.TextField(blank=True)
    person_postcode = models.CharField(max_length=10, blank=True)
    person_gender = models.CharField(max_length=40, blank=True)

    # Routing: what the referrer told us and the pathway the router suggested.
    main_need = models.CharField(max_length=32, blank=True)
    suggested_pathway = models.CharField(max_length=32, blank=True)
    children_in_household = models.CharField(max_length=10, blank=True)

    # Consent (adults): "yes", "no" or "not_asked"; the grounds for referring without it.
    consent = models.CharField(max_length=12, blank=True)
    consent_grounds = models.JSONField(default=list, blank=True)

    # The concern.
    categories = models.JSONField(default=list, blank=True)
    concern_pattern = models.CharField(max_length=10, blank=True)  # "one_off" or "ongoing"
    police_informed = models.CharField(max_length=10, blank=True)
    crime_reference = models.CharField(max_length=60, blank=True)
    answers = models.JSONField(
        default=dict, blank=True, help_text="Answers to the form's questions, by question key."
    )

    # How the referrer wants feedback (referrals.workflow.FeedbackPreference).
    feedback_preference = models.CharField(max_length=20, default="portal_email")
    referrer_phone = models.CharField(max_length=40, blank=True)

    # Triage.
    rag_rating = models.CharField(max_length=8, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    received_at = models.DateTimeField(null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Making Safeguarding Personal (core.vocabulary.MspOutcome): were the outcomes the adult
    # wanted achieved? Written with the closure of an adult referral
    # (triage.transitions.referral_close); blank for children's pathways and open referrals.
    msp_outcome = models.CharField(max_length=16, blank=True, default="",
                                   choices=MspOutcome.choices,
                                   verbose_name="desired outcomes achieved")

    # Step keys the referrer has completed (referrals.steps), so a draft resumes where it left.
    steps_done = models.JSONField(default=list, blank=True)
    # Drafts: deleted with their files once expired (referrals.tasks.drafts_sweep).
    draft_expires_at = models.DateTimeField(null=True, blank=True)
    draft_reminded_at = models.DateTimeField(null=True, blank=True)
    # The key of the submission that turned this draft into a referral: a second request with
    # any key finds the referral already submitted and changes nothing.
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    # The running clock due first (pathways.deadlines.referral_clock_sync keeps these in the
    # transaction of every clock change): the triage queue orders by them through one index
    # instead of computing every open referral's next clock per page (docs/performance.md, 2).
    # NULL: no clock running. A paused clock keeps its due time, so it still counts here.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_paused_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["draft_expires_at"], name="referral_draft_expiry",
                condition=models.Q(status="draft"),
            ),
            models.Index(fields=["team", "status", "urgent"]),
            models.Index(fields=["referrer", "-created_at"]),
            models.Index(fields=["organisation", "-received_at"]),
            models.Index(fields=["follower"], name="referral_follower",
                         condition=models.Q(follower__isnull=False)),
            # The triage queue's ORDER BY (triage.selectors.queue_base), over what a queue
            # holds (workflow.Status.open(); a change to that list needs a new index).
            models.Index(
                fields=["team", "-urgent", "next_due_at", "received_at", "id"],
                name="referral_queue_order",
                condition=models.Q(status__in=QUEUE_STATUSES),
            ),
            # The clock sweep's urgent pick-up step, every minute: only urgent referrals nobody
            # has taken yet, oldest first (referrals.sweep._pickups_batch).
            models.Index(
                fields=["received_at", "id"], name="referral_urgent_unassigned",
                condition=models.Q(urgent=True, assignee__isnull=True),
            ),
            # The retention sweep's batches, one pathway at a time, oldest closure first
            # (privacy.retention.retention_sweep). Without it each batch of 10 read the whole
            # table (a parallel sequential scan, 0.5 s at 1M referrals) while staff worked.
            models.Index(
                fields=["pathway", "closed_at", "id"], name="referral_retention_due",
                condition=models.Q(closed_at__isnull=False),
            ),
        ]
        permissions = [("triage_referral", "Can triage and decide the referral")]

    def __str__(self):
        return self.reference or f"Draft {self.pk}"

    @property
    def is_child(self) -> bool:
        return self.pathway == Pathway.MASH

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def draft_label(self) -> str:
        """How a draft is named in the referrer's own lists (a draft has no reference yet)."""
        who = f" about {self.person_name}" if self.person_name else ""
        return f"Referral{who} started {timezone.localtime(self.created_at):%-d %B %Y}"


class Relationship(models.TextChoices):
    PAID_CARER = "paid_carer", "Paid carer or care worker"
    UNPAID_CARER = "unpaid_carer", "Unpaid carer or family member"
    PARTNER = "partner", "Partner or ex-partner"
    PROFESSIONAL = "professional", "Professional, staff member or volunteer"
    OTHER_RESIDENT = "other_resident", "Another resident (for example in a care home)"
    STRANGER = "stranger", "Stranger"
    UNKNOWN = "unknown", "Not known"


class AllegedPerson(models.Model):
    """A person alleged to cause harm. A referral may name several, or none."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="alleged_persons")
    name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    agency_name = models.CharField(max_length=200, blank=True)
    lives_with = models.CharField(max_length=10)
    cares_for = models.CharField(max_length=10)
    contact_with_others_at_risk = models.CharField(max_length=10)
    others_at_risk_details = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Alleged person {self.pk} on referral {self.referral_id}"


class HouseholdMember(models.Model):
    """One of the family's other children or an adult in the household (issue 16, part 3).

    Asked when children live in the household or the referral is about a child; a referral
    may have none. The older yes/no answer (`Referral.children_in_household`) stays as it was.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE,
                                 related_name="household_members")
    name = models.CharField(max_length=200, blank=True)
    # referrals.choices.HouseholdRelationship: to the person the referral is about.
    relationship = models.CharField(max_length=20)
    child_or_adult = models.CharField(max_length=10)  # "child", "adult" or "unknown"
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    lives_there = models.CharField(max_length=10)  # "yes", "no" or "unknown"
    # For an adult: anything known about them that is a worry (their own risk or needs).
    concern = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Household member {self.pk} on referral {self.referral_id}"


class Attachment(models.Model):
    """A file sent with a referral, stored in the default (private) storage under a random name.

    `content_type` is what the file's content is (python-magic), never what its name claims.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=200, unique=True)
    original_name = models.CharField(max_length=255)
    description = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"Attachment {self.pk} on referral {self.referral_id}"


class ReferralEvent(models.Model):
    """The referral's timeline: every transition and update, who, when, from, to and why.

    Written only by referrals.record, with its audit row, in the same transaction as the change
    it records.
    `visible_to_referrer` decides whether it appears on the referrer's status page.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    reason = models.TextField(blank=True)
    visible_to_referrer = models.BooleanField(default=False)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"])]

    def __str__(self):
        return f"{self.referral_id} {self.kind} at {self.at:%Y-%m-%d %H:%M}"


# django-guardian with direct foreign keys (guardian's performance guide): one indexed join
# instead of a generic relation over object_pk strings.

    # The staff timeline's words (not the stored codes).
    def from_status_words(self) -> str:
        return Status(self.from_status).label if self.from_status in Status.values else ""

    def to_status_words(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else ""


class ReferralUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class ReferralGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Referral, on_delete=models.CASCADE)


class DutyState(models.TextChoices):
    PENDING = "pending", "To do"
    DONE = "done", "Done"
    NOT_NEEDED = "not_needed", "Not needed"

    @classmethod
    def recordable(cls) -> tuple[str, ...]:
        return (cls.DONE, cls.NOT_NEEDED)


class ReferralDuty(models.Model):
    """A parallel duty the referral triggered (pathways.duties), on the staff's checklist.

    Written at submission (referrals.services.submission) and changed only by
    referrals.services.duties.referral_duty_record, which writes the record with it.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="duties")
    duty = models.ForeignKey("pathways.ParallelDuty", on_delete=models.PROTECT,
                             related_name="referral_duties")
    reason = models.CharField(max_length=300)  # why it triggered, in general words
    triggered_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=DutyState.choices,
                             default=DutyState.PENDING)
    note = models.CharField(max_length=500, blank=True)  # staff's short reason (internal)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["duty__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["referral", "duty"],
                                               name="referral_duty_once")]

    def __str__(self):
        return f"{self.referral_id} {self.duty_id} {self.state}"

"""The API's shapes, for the OpenAPI schema and the responses (api.selectors builds the dicts).

The referral document (ReferralDocument) is pinned by tests/api/test_contract.py: a change to
it is a new API version or a documented additive change (docs/api.md, "Stability").
"""

from rest_framework import serializers

from core.vocabulary import Pathway, Status

from .webhook_types import EVENT_TYPE_CHOICES


class Problem(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   required=False)


class ReferralSummary(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    urgent = serializers.BooleanField()
    outcome = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    handed_over = serializers.BooleanField(help_text="This client acknowledged the hand-over.")
    url = serializers.URLField()


class ReferralPage(serializers.Serializer):
    results = ReferralSummary(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page.")


class FeedReferral(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_blank=True)
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    status = serializers.ChoiceField(choices=Status.choices)


class FeedEvent(serializers.Serializer):
    id = serializers.IntegerField(help_text="Increasing; also the cursor after this event.")
    type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES)
    occurred_at = serializers.DateTimeField()
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    referral = FeedReferral()


class EventPage(serializers.Serializer):
    events = FeedEvent(many=True)
    next_cursor = serializers.CharField(
        help_text="Always present: poll again with it (the last event's id, or the cursor "
                  "you sent when nothing is new).")


class Person(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    other_names = serializers.CharField(allow_blank=True)
    date_of_birth = serializers.DateField(allow_null=True)
    age_approx = serializers.IntegerField(allow_null=True)
    address = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField(allow_blank=True)
    gender = serializers.CharField(allow_blank=True)


class Concern(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField())
    pattern = serializers.CharField(allow_blank=True)
    police_informed = serializers.CharField(allow_blank=True)
    crime_reference = serializers.CharField(allow_blank=True)
    main_need = serializers.CharField(allow_blank=True)
    children_in_household = serializers.CharField(allow_blank=True)
    answers = serializers.DictField(help_text="The form's answers by question key.")


class Consent(serializers.Serializer):
    consent = serializers.CharField(allow_blank=True,
                                    help_text='"yes", "no", "not_asked", or "" for a child.')
    grounds = serializers.ListField(child=serializers.CharField(),
                                    help_text="Grounds for sharing without consent.")


class AllegedPerson(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    relationship = serializers.CharField()
    agency_name = serializers.CharField(allow_blank=True)
    lives_with = serializers.CharField(allow_blank=True)
    cares_for = serializers.CharField(allow_blank=True)
    contact_with_others_at_risk = serializers.CharField(allow_blank=True)
    others_at_risk_details = serializers.CharField(allow_blank=True)


class HouseholdMember(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    relationship = serializers.CharField(help_text="parent, parent_partner, sibling, grandparent, "
                                         "other_relative, carer, partner, child, lodger, other "
                                         "or unknown (to the person the referral is about).")
    child_or_adult = serializers.CharField(help_text='"child", "adult" or "unknown".')
    age = serializers.IntegerField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    lives_there = serializers.CharField(help_text='"yes", "no" or "unknown".')
    concern = serializers.CharField(allow_blank=True, help_text="For an adult: what is known "
                                    "about them that is a worry.")


class SignpostedService(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    source_id = serializers.CharField(read_only=True, allow_blank=True,
                                      help_text="The service's id in the directory it was "
                                      "imported from (Open Referral UK), blank if added by hand.")


CRITERION_HELP = ('"met", "not_met" or "not_known" on an adult concern decision; blank on '
                  'other decisions. Added within v1 (issue 15).')


class DecisionItem(serializers.Serializer):
    action = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField()
    # Decisions that explain themselves (issue 15 item 6).
    s42_care_needs = serializers.CharField(
        read_only=True, allow_blank=True,
        help_text=f"Section 42 criterion: has needs for care and support. {CRITERION_HELP}")
    s42_abuse = serializers.CharField(
        read_only=True, allow_blank=True,
        help_text="Section 42 criterion: is experiencing, or at risk of, abuse or neglect. "
                  f"{CRITERION_HELP}")
    s42_unable_to_protect = serializers.CharField(
        read_only=True, allow_blank=True,
        help_text="Section 42 criterion: because of those needs, unable to protect themselves. "
                  f"{CRITERION_HELP}")
    need_level = serializers.CharField(
        read_only=True, allow_blank=True,
        help_text="A MASH decision's level of need (the threshold level's code, e.g. "
                  '"level-2"); blank on other decisions. Added within v1 (issue 15).')
    need_level_name = serializers.CharField(
        read_only=True, allow_blank=True, help_text="The level of need's name, as staff chose it.")
    services = SignpostedService(
        many=True, read_only=True,
        help_text="Services from the directory the referrer was signposted to with this "
                  "decision. Added within v1 (issue 15).")


class Clock(serializers.Serializer):
    kind = serializers.CharField()
    variant = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)
    breached_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class TimelineItem(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=EVENT_TYPE_CHOICES)
    occurred_at = serializers.DateTimeField()
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)


class AttachmentItem(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    download_url = serializers.URLField()


class HandoverItem(serializers.Serializer):
    case_id = serializers.CharField()
    accepted_by = serializers.CharField()
    client = serializers.CharField()
    at = serializers.DateTimeField()


class ReferralDocument(serializers.Serializer):
    schema_version = serializers.CharField(help_text='"1" in API v1.')
    id = serializers.IntegerField()
    reference = serializers.CharField()
    pathway = serializers.ChoiceField(choices=Pathway.choices)
    team = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=Status.choices)
    urgent = serializers.BooleanField()
    urgent_reason = serializers.CharField(allow_blank=True)
    received_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    rag_rating = serializers.CharField(allow_blank=True)
    outcome = serializers.CharField(allow_blank=True)
    msp_outcome = serializers.CharField(
        read_only=True, allow_blank=True,
        help_text='Making Safeguarding Personal, recorded when an adult referral is closed: '
                  'were the outcomes the adult wanted achieved? "fully", "partly", '
                  '"not_achieved" or "not_asked" (core.vocabulary.MspOutcome); blank while '
                  'open and for children. Added within v1 (issue 15).')
    organisation = serializers.CharField(allow_blank=True)
    person = Person()
    concern = Concern()
    consent = Consent()
    alleged_persons = AllegedPerson(many=True)
    household_members = HouseholdMember(many=True, help_text="Added within v1 (issue 16).")
    decisions = DecisionItem(many=True)
    clocks = Clock(many=True)
    timeline = TimelineItem(many=True)
    attachments = AttachmentItem(many=True)
    handovers = HandoverItem(many=True)


class HandoverRequest(serializers.Serializer):
    case_id = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,59}$", max_length=60,
        help_text="The case-management system's case id (letters, digits and . _ : / -).")
    accepted_by = serializers.RegexField(
        r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$", max_length=120,
        help_text="Who accepted it there (a name or a team); no control characters.")

    def validate_accepted_by(self, value):
        return " ".join(value.split())


class HandoverResponse(serializers.Serializer):
    referral = serializers.IntegerField()
    case_id = serializers.CharField()
    accepted_by = serializers.CharField()
    at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="False when this acknowledgement was already "
                                                 "recorded (a retry is safe).")

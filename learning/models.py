"""Learning from referrers (issue 15, item 8): what referrers tell us about the service, and
the guidance page the council keeps for them. Nothing here is personal: ratings are kept
against an organisation and its sector, never a person or a referral."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

COMMENT_MAX = 500


class Source(models.TextChoices):
    AFTER_REFERRAL = "after_referral", "After sending a referral"
    PAGE = "page", "Feedback link"


class Rating(models.IntegerChoices):
    """GOV.UK's satisfaction scale, best first on the form."""

    VERY_GOOD = 5, "Very good"
    GOOD = 4, "Good"
    NEITHER = 3, "Neither good nor poor"
    POOR = 2, "Poor"
    VERY_POOR = 1, "Very poor"


class ReferrerFeedback(models.Model):
    """One answer to "How was making this referral?" or to the feedback link on every page.

    Kept against the organisation and its sector only. `once_key` (after a referral) is a keyed
    hash of the referral's id, so the same referral is rated once without the rating naming
    the referral or the person (learning.services.referral_rate)."""

    source = models.CharField(max_length=20, choices=Source.choices)
    rating = models.PositiveSmallIntegerField(
        choices=Rating.choices, validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    sector = models.CharField(max_length=20, blank=True)
    # The kind of page the feedback link was followed from (a URL name, never an address:
    # addresses can hold ids), and whether the person was signed in.
    page = models.CharField(max_length=80, blank=True)
    signed_in = models.BooleanField(default=False)
    once_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "feedback from a referrer"
        verbose_name_plural = "feedback from referrers"
        constraints = [models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5),
                                              name="learning_rating_1_to_5")]

    def __str__(self):
        return f"{self.get_source_display()}: {self.rating} on {self.created_at:%Y-%m-%d}"


class GuidanceSection(models.Model):
    """One section of the public guidance page, kept by administrators in the Django admin.

    `body` is plain text: paragraphs separated by a blank line; a paragraph whose lines all
    start with "- " is a bulleted list (learning.selectors.guidance_blocks)."""

    slug = models.SlugField(max_length=60, unique=True,
                            help_text="The section's address on the page, like section-42. "
                                      "The referral form links to some of these: keep them.")
    title = models.CharField(max_length=120)
    body = models.TextField(help_text="Plain English. Leave a blank line between paragraphs; "
                                      "start each line of a list with \"- \".")
    order = models.PositiveSmallIntegerField(default=0)
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "guidance section"

    def __str__(self):
        return self.title

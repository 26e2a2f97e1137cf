"""People, organisations and teams.

Referrers belong to organisations (membership approved by a council administrator, or
automatically for a verified organisation's email domain). Staff belong to pathway teams.
Each team has an auth Group through which django-guardian grants it its referrals.
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.utils import timezone

from core.vocabulary import Pathway


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_council_admin", True)
        extra.setdefault("email_verified", True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The email address is the login."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # is_staff only grants Django admin; council administrators also get it.
    is_staff = models.BooleanField(default=False)
    is_council_admin = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Sector(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary and community"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    COUNCIL = "council", "Council"
    OTHER = "other", "Other"


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    verified = models.BooleanField(
        default=False,
        help_text="A verified organisation's email domains join new members automatically.",
    )
    # Lower-case domains such as "ageuk.org.uk"; a list keeps SQLite and PostgreSQL alike.
    email_domains = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def accepts_domain(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return self.verified and domain in {d.lower() for d in self.email_domains}


class MembershipRole(models.TextChoices):
    REFERRER = "referrer", "Referrer"
    SAFEGUARDING_LEAD = "lead", "Organisation safeguarding lead"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Membership(models.Model):
    """A person's place in an organisation. One organisation per person for now."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        max_length=20, choices=MembershipRole.choices, default=MembershipRole.REFERRER
    )
    status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self):
        return f"{self.user} at {self.organisation} ({self.get_role_display()})"

    @property
    def is_approved(self) -> bool:
        return self.status == MembershipStatus.APPROVED


class Team(models.Model):
    """A pathway team of council staff. Its group carries the team's object permissions."""

    name = models.CharField(max_length=200, unique=True)
    pathway = models.CharField(max_length=32, choices=Pathway.choices, unique=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    # Issue 15: referrers see the assigned worker's name and direct contact on an assigned
    # referral's status page, unless the team prefers its own contact details only.
    show_team_contact_only = models.BooleanField(
        default=False,
        help_text="Referrers see the team's phone and email only, not the assigned worker's "
                  "name and direct contact.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def managers(self):
        return User.objects.filter(
            team_memberships__team=self, team_memberships__role=TeamRole.MANAGER, is_active=True
        )


class TeamRole(models.TextChoices):
    TRIAGE = "triage", "Triage worker"
    MANAGER = "manager", "Team manager"


class TeamMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=TeamRole.choices, default=TeamRole.TRIAGE)
    is_duty_manager = models.BooleanField(
        default=False, help_text="Receives breach alerts for the team alongside the manager."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    # The team's group carries its referrals' object permissions (django-guardian reads groups),
    # so group membership is derived from team membership and kept in step here, whichever way
    # the membership is made (demo, admin inline, services).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.user.groups.add(self.team.group)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.user.groups.remove(self.team.group)
        return result

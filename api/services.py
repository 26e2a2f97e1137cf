"""The api app's writes: registering, changing and suspending clients, and acknowledging a
hand-over. Each checks, writes and audits in one transaction (STYLE.md habit 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import AccessToken, Application

from audit.services import audit_record
from core.vocabulary import AuditAction, EventKind, Pathway
from feedback.selectors import consent_withheld
from outbox.models import WebhookEndpoint
from outbox.webhooks import secret_new, webhooks_listening_forget
from referrals import access
from referrals.lifecycle import referral_locked
from referrals.models import ReferralEvent
from referrals.record import record

from .models import ApiClient, Scope
from .problems import Conflict
from .selectors import HANDOVER_OUTCOMES, NOT_HANDED_OVER


class ClientInvalid(ValueError):
    pass


def _check_grant(pathways, scopes) -> tuple[list[str], list[str]]:
    pathways = sorted(set(pathways))
    scopes = sorted(set(scopes))
    if not pathways or set(pathways) - set(Pathway.values):
        raise ClientInvalid("Choose the pathways the client may read.")
    if not scopes or set(scopes) - set(Scope.values):
        raise ClientInvalid("Choose the scopes the client holds.")
    return pathways, scopes


def _endpoints_sync(client: ApiClient) -> None:
    """The outbox decides who hears of a change from the endpoint's own copy of the grant."""
    WebhookEndpoint.objects.filter(application_id=client.application_id).update(
        pathways=client.pathways, client_suspended=client.suspended)
    webhooks_listening_forget()  # an update sends no signal (outbox.webhooks' cached flag)


@transaction.atomic
def client_register(*, name: str, pathways, scopes, actor, rate_per_minute: int | None = None,
                    request=None) -> tuple[ApiClient, str]:
    """A new client: (the client, its secret). The secret is stored hashed and shown once."""
    pathways, scopes = _check_grant(pathways, scopes)
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name[:255], client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, client_secret=secret,
        hash_client_secret=True, redirect_uris="", skip_authorization=True,
    )
    client = ApiClient.objects.create(application=application, name=name, pathways=pathways,
                                      scopes=scopes, rate_per_minute=rate_per_minute,
                                      created_by=actor)
    audit_record(action=AuditAction.CLIENT_REGISTERED, actor=actor, request=request, obj=client,
                 detail={**client.audit_detail(), "pathways": pathways, "scopes": scopes})
    return client, secret


@transaction.atomic
def client_change(*, client: ApiClient, pathways, scopes, actor, request=None) -> ApiClient:
    """A new grant; tokens already issued keep their scopes only while the client holds them
    (api.auth checks both), and endpoints follow the pathways at once."""
    client.pathways, client.scopes = _check_grant(pathways, scopes)
    client.save(update_fields=["pathways", "scopes", "name", "rate_per_minute"])
    _endpoints_sync(client)
    return client


@transaction.atomic
def client_secret_renew(*, client: ApiClient, actor, request=None) -> str:
    secret = generate_client_secret()
    application = client.application
    application.client_secret = secret
    application.save()
    AccessToken.objects.filter(application=application).delete()
    audit_record(action=AuditAction.CLIENT_REGISTERED, actor=actor, request=request, obj=client,
                 detail={**client.audit_detail(), "secret": "renewed"})
    return secret


@transaction.atomic
def client_suspend(*, client: ApiClient, actor, request=None,
                   now: datetime | None = None) -> ApiClient:
    """No token, no reads, no webhooks until resumed; tokens already issued are revoked."""
    client.suspended_at = now or timezone.now()
    client.save(update_fields=["suspended_at"])
    AccessToken.objects.filter(application_id=client.application_id).delete()
    _endpoints_sync(client)
    audit_record(action=AuditAction.CLIENT_SUSPENDED, actor=actor, request=request, obj=client,
                 detail=client.audit_detail())
    return client


@transaction.atomic
def client_resume(*, client: ApiClient, actor, request=None) -> ApiClient:
    client.suspended_at = None
    client.save(update_fields=["suspended_at"])
    _endpoints_sync(client)
    audit_record(action=AuditAction.CLIENT_RESUMED, actor=actor, request=request, obj=client,
                 detail=client.audit_detail())
    return client


@transaction.atomic
def endpoint_register(*, client: ApiClient, url: str, event_types, actor,
                      request=None) -> tuple[WebhookEndpoint, str]:
    """A webhook endpoint for the client: (the endpoint, its signing secret, shown once)."""
    secret = secret_new()
    endpoint = WebhookEndpoint.objects.create(
        application_id=client.application_id, url=url, secret=secret,
        event_types=sorted(set(event_types)), pathways=client.pathways,
        client_suspended=client.suspended)
    audit_record(action=AuditAction.CLIENT_REGISTERED, actor=actor, request=request,
                 obj=endpoint, detail={**client.audit_detail(), "endpoint": endpoint.pk})
    return endpoint, secret


# --- hand-over ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Handover:
    event: ReferralEvent
    created: bool


REFERRER_WORDS = "Passed to a social work team"


@transaction.atomic
def handover_acknowledge(*, client: ApiClient, referral_id: int, case_id: str,
                         accepted_by: str, request=None, now: datetime | None = None) -> Handover:
    """Case management accepted the referral: its case id and who accepted it go on the
    timeline (staff see both on the referral page); the referrer's timeline says the referral
    was passed to a social work team, unless the adult refused consent to sharing (then the
    referrer is not told more than the decision feedback already said). Safe to retry: the
    same case id again changes nothing; a different one is a conflict."""
    now = now or timezone.now()
    if access.referral_load_for_system(client.pathways, referral_id) is None:
        raise access.OutOfScope("Not a referral this client may read.")
    referral = referral_locked(referral_id)
    if referral.outcome not in HANDOVER_OUTCOMES or referral.status in NOT_HANDED_OVER:
        raise Conflict("This referral is not ready for hand-over: no decision that continues "
                       "in case management.")
    earlier = (referral.events.filter(kind=EventKind.HANDED_OVER, detail__client=client.pk)
               .order_by("pk").first())
    if earlier is not None:
        if earlier.detail.get("case_id") == case_id:
            return Handover(event=earlier, created=False)
        raise Conflict("This client already acknowledged the referral with another case id.")
    event = record(
        referral=referral, kind=EventKind.HANDED_OVER, request=request, at=now,
        from_status=referral.status, to_status=referral.status,
        reason=f"Accepted in {client.name} as case {case_id} by {accepted_by}.",
        visible_to_referrer=not consent_withheld(referral),
        detail={**client.audit_detail(), "case_id": case_id, "accepted_by": accepted_by},
        # The audit row names the client and the case, not the person who accepted it.
        audit_detail={**client.audit_detail(), "case_id": case_id},
    )
    return Handover(event=event, created=True)

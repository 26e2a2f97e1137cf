"""What every signed-in request reads, kept in a shared cache (issue 19, docs/performance.md).

Without it each signed-in page runs four statements before its view does: the session row, the
user, the OTP device and the role fingerprint. The session is read through the cache and
written through to the table (portal/session_store.py). The other three live in one cache entry
per person, read once per request.

Correctness rests on a generation number per person: every save or delete of the person, their
organisation membership, a team membership or an OTP device bumps it (now and again after the
transaction commits), and entries are stored under the generation read *before* the database
was. So a request that read the database just before a change can only store its copy under the
old generation, which nobody reads again. The entry is kept under one key per person with the
generation it was stored under inside it, so one MGET reads the generation and the entry
together (two round trips a request with the session's, not three). Writes that send no signal (`queryset.update()`, bulk
SQL) are caught by the entry's time limit, SIGNED_IN_CACHE_SECONDS (60 s by default): a role
changed that way ends the session within that time instead of on the next request. Setting it
to 0 turns the cache off (the test settings do, as they do for the clock settings' cache).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.cache import caches
from django.db import transaction
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.functional import SimpleLazyObject
from django_otp.middleware import OTPMiddleware

from .security import role_fingerprint

log = logging.getLogger(__name__)
CACHE_ALIAS = "signed_in"
_MISSING = object()


def enabled() -> bool:
    return getattr(settings, "SIGNED_IN_CACHE_SECONDS", 0) > 0


def _cache():
    return caches[CACHE_ALIAS]


def _generation_key(user_id) -> str:
    return f"gen:{user_id}"


def _entry_key(user_id) -> str:
    return f"entry:{user_id}"


def forget(user_id) -> None:
    """Drop what is cached for this person: now, and again once the change is committed (a
    request between the two could otherwise cache the uncommitted-before state)."""
    if user_id is None or not enabled():
        return

    def bump():
        try:
            _cache().set(_generation_key(user_id), get_random_string(12), timeout=None)
        except Exception:  # noqa: BLE001 (Redis down: copies expire within the time limit)
            log.warning("signed-in cache unreachable; cached copies expire by themselves")

    bump()
    transaction.on_commit(bump)


class _Entry:
    """The person's cached reads for one request: fetched once, written back on change."""

    def __init__(self, user_id):
        self.user_id = user_id
        self.read_here = set()
        try:
            self._load(user_id)
        except Exception:  # noqa: BLE001 (Redis down: read the database, cache nothing)
            log.warning("signed-in cache unreachable; reading the database")
            self.key, self.values = None, {}

    def _load(self, user_id):
        # One round trip for both: the generation and the entry, which carries the generation
        # it was stored under and counts only when that is still the current one.
        cache = _cache()
        self.key = _entry_key(user_id)
        found = cache.get_many([_generation_key(user_id), self.key])
        self.generation = found.get(_generation_key(user_id))
        if self.generation is None:
            self.generation = get_random_string(12)
            # add, not set: two first requests at once agree on one generation.
            if not cache.add(_generation_key(user_id), self.generation, timeout=None):
                self.generation = cache.get(_generation_key(user_id)) or self.generation
            self.values = {}
            return
        stored = found.get(self.key)
        self.values = (dict(stored["values"]) if isinstance(stored, dict)
                       and stored.get("generation") == self.generation else {})

    def get(self, name):
        return self.values.get(name, _MISSING)

    def fresh(self, name) -> bool:
        """Whether this request read `name` from the database itself."""
        return name in self.read_here

    def put(self, name, value) -> None:
        self.read_here.add(name)
        self.values[name] = value
        if self.key is None:
            return
        try:
            _cache().set(self.key, {"generation": self.generation, "values": self.values},
                         timeout=settings.SIGNED_IN_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("signed-in cache unreachable; reading the database")


def _entry(request, user_id) -> _Entry:
    entry = getattr(request, "_signed_in_entry", None)
    if entry is None or entry.user_id != user_id:
        entry = _Entry(user_id)
        request._signed_in_entry = entry
    return entry


def get_user(request):
    """django.contrib.auth.get_user, with the user read from the cache when the session's hash
    still matches it; anything unusual (no user, a fallback secret, a mismatch) goes the
    ordinary way, which flushes or rotates the session as Django does."""
    if not enabled():
        return auth.get_user(request)
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    entry = _entry(request, user_id)
    user = entry.get("user")
    if user is _MISSING:
        user = auth.load_backend(backend_path).get_user(user_id)
        if user is None:  # gone, or inactive: let Django say so
            return auth.get_user(request)
        entry.put("user", user)
    session_hash = request.session.get(HASH_SESSION_KEY)
    if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()):
        return user
    if not entry.fresh("user"):  # a copy from before a change that sent no signal: read again
        user = auth.load_backend(backend_path).get_user(user_id)
        if user is not None and session_hash and constant_time_compare(
                session_hash, user.get_session_auth_hash()):
            entry.put("user", user)
            return user
    return auth.get_user(request)


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware reading the user through `get_user` above."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


class CachedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware reading the session's device through the cache. The checks after
    the read (the device belongs to this person and is confirmed) are django-otp's own."""

    def _install_lazy_accessors(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(
                functools.partial(self._verify_user_cached, request, user))
        auser = getattr(request, "auser", None)
        if auser is not None:
            request.auser = functools.partial(self._verify_user_async_via_auser, request, auser)

    def _verify_user_cached(self, request, user):
        from django_otp import DEVICE_ID_SESSION_KEY

        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._device_cached(request, user, persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user

    def _device_cached(self, request, user, persistent_id):
        if not enabled():
            return self._device_from_persistent_id(persistent_id)
        entry = _entry(request, user.pk)
        name = f"device:{persistent_id}"
        device = entry.get(name)
        if device is _MISSING:
            device = self._device_from_persistent_id(persistent_id)
            entry.put(name, device)
        return device


def cached_role_fingerprint(request, user) -> str:
    """security.role_fingerprint, cached with the person's other reads."""
    if not enabled():
        return role_fingerprint(user)
    entry = _entry(request, user.pk)
    fingerprint = entry.get("fingerprint")
    if fingerprint is _MISSING:
        fingerprint = role_fingerprint(user)
        entry.put("fingerprint", fingerprint)
    return fingerprint


def _forget_instance(sender, instance, **kwargs):
    forget(getattr(instance, "user_id", None) if sender is not auth.get_user_model()
           else instance.pk)


def connect_signals() -> None:
    """Called from PortalConfig.ready: every process that can change these rows forgets."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from accounts.models import Membership, TeamMembership

    models = [auth.get_user_model(), Membership, TeamMembership]
    for config in apps.get_app_configs():
        if config.name.startswith("django_otp.plugins."):
            models += list(config.get_models())
    for model in models:
        post_save.connect(_forget_instance, sender=model, dispatch_uid=f"signed-in-{model._meta.label}")
        post_delete.connect(_forget_instance, sender=model,
                            dispatch_uid=f"signed-in-del-{model._meta.label}")

"""Sessions in the database, read through the signed-in cache (portal/signed_in.py).

Like Django's cached_db engine, but every cache call may fail without failing the request: with
Redis down the session is read from and written to the table as before (Django's own engine
raises on some of them). Cached copies live SIGNED_IN_CACHE_SECONDS at most, so a session deleted
while Redis was unreachable cannot come back for longer than that once it returns.
"""

import logging

from django.conf import settings
from django.contrib.sessions.backends import db
from django.core.cache import caches

log = logging.getLogger(__name__)
KEY_PREFIX = "session:"


def _cache():
    return caches["signed_in"]


class SessionStore(db.SessionStore):
    def _key(self, session_key=None) -> str:
        return KEY_PREFIX + (session_key or self._get_or_create_session_key())

    def load(self):
        if self.session_key:
            try:
                data = _cache().get(self._key())
            except Exception:  # noqa: BLE001 (any cache failure: read the table)
                log.warning("session cache unreachable; reading the session table")
                data = None
            if data is not None:
                return data
        data = super().load()
        if self.session_key and data:
            self._cache_set(data)
        return data

    def save(self, must_create=False):
        super().save(must_create=must_create)
        self._cache_set(self._session)

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            try:
                _cache().delete(self._key(key))
            except Exception:  # noqa: BLE001
                log.warning("session cache unreachable; a deleted session's copy expires by itself")

    def _cache_set(self, data) -> None:
        try:
            _cache().set(self._key(), data, timeout=settings.SIGNED_IN_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("session cache unreachable; the session table alone is used")

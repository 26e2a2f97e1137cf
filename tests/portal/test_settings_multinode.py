"""The settings for more than one machine (issue 19, docs/deployment.md): with Redis, sessions,
the cache and beat's lock are shared, and a replica is an alias; without, the demo's defaults."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import json; from portal import settings as s; print(json.dumps({"
    "'session': s.SESSION_ENGINE, 'cache': s.CACHES['default']['BACKEND'], "
    "'scheduler': s.CELERY_BEAT_SCHEDULER, 'redbeat': s.CELERY_REDBEAT_REDIS_URL, "
    "'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
    "'replica': s.DATABASES.get('replica', {}).get('PORT'), "
    "'replica_atomic': s.DATABASES.get('replica', {}).get('ATOMIC_REQUESTS'), "
    "'replica_options': s.DATABASES.get('replica', {}).get('OPTIONS'), "
    "'lag': s.REPLICA_MAX_LAG_SECONDS}))"
)


def _settings(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DJANGO_") and k not in {"REDIS_URL", "CELERY_BROKER_URL",
                                                        "DATABASE_URL", "SESSION_ENGINE"}}
    env.update({"DEBUG": "true", **extra})
    result = subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_demo_without_redis_keeps_everything_in_process_and_one_database():
    got = _settings()
    assert got["session"] == "django.contrib.sessions.backends.db"
    assert got["cache"].endswith("LocMemCache")
    assert got["scheduler"] == "celery.beat:PersistentScheduler"
    assert got["aliases"] == ["default"]


def test_redis_shares_sessions_cache_and_beat_lock_and_a_replica_is_routed():
    got = _settings(
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://u@127.0.0.1:5432/portal",
        REPLICA_DATABASE_URL="postgres://u@127.0.0.1:5433/portal",
        REPLICA_MAX_LAG_SECONDS="12",
    )
    # Django's cached_db, read through the signed-in cache and tolerant of Redis being down
    # (portal/session_store.py, issue 19).
    assert got["session"] == "portal.session_store"
    assert got["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert got["scheduler"] == "redbeat.RedBeatScheduler"
    assert got["redbeat"] == "redis://127.0.0.1:6379/3"
    assert got["aliases"] == ["default", "replica"]
    assert got["routers"] == ["core.replica.ReplicaRouter"]
    assert got["replica"] == 5433
    assert got["replica_atomic"] is False
    assert "jit=off" in got["replica_options"]["options"]
    assert got["lag"] == 12.0

"""What ``okienko check`` reports: the effective configuration and which services answer."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from huey.contrib.djhuey import HUEY


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def effective_configuration() -> dict[str, str]:
    database = settings.DATABASES["default"]
    return {
        "mode": settings.MODE,
        "debug": str(settings.DEBUG),
        "var dir": str(settings.VAR_DIR),
        "database": f"{str(database['ENGINE']).rsplit('.', 1)[-1]} {database['NAME']}",
        "queue": type(HUEY).__name__,
        "channel layer": str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).rsplit(".", 1)[-1],
        "cache": str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1],
        "redis": _without_password(settings.REDIS_URL) if settings.REDIS_URL else "(not used)",
        "files": str(settings.MEDIA_ROOT),
        "time zone": settings.TIME_ZONE,
    }


def _probe(name: str, check: object) -> Probe:
    try:
        detail = check()  # type: ignore[operator]
    except Exception as error:
        return Probe(name, False, f"{type(error).__name__}: {error}")
    return Probe(name, True, str(detail))


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"{connection.vendor} answers"


def _queue() -> str:
    return f"{HUEY.pending_count()} tasks waiting"


def _cache() -> str:
    cache.set("okienko:check", "ok", 10)
    if cache.get("okienko:check") != "ok":
        raise RuntimeError("value written was not read back")
    return "read back a written value"


def _channel_layer() -> str:
    received = async_to_sync(_send_and_receive)()
    if received.get("type") != "check":
        raise RuntimeError(f"unexpected message {received!r}")
    return "delivered a message"


async def _send_and_receive() -> dict[str, Any]:
    # On one event loop: a pub/sub layer's channel is a subscription of the loop that made it.
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "check"})
    return dict(await layer.receive(channel))


def probe_services() -> list[Probe]:
    return [
        _probe("database", _database),
        _probe("queue", _queue),
        _probe("cache", _cache),
        _probe("channel layer", _channel_layer),
    ]

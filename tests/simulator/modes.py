"""How a simulated collar answers: healthy, failing, frozen, draining or wandering off."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How the device API answers a dog's status (or the health check)."""

    HEALTHY = "healthy"
    ERROR_500 = "error500"
    BUSY_503 = "busy503"
    RATE_LIMIT_429 = "ratelimit429"
    HANG = "hang"
    REFUSE = "refuse"
    MALFORMED = "malformed"
    UNAUTHORIZED_401 = "unauthorized401"
    FROZEN = "frozen"
    DRAIN = "drain"
    WANDER = "wander"


MODES: dict[Mode, str] = {
    Mode.HEALTHY: "answer as the contract says",
    Mode.ERROR_500: "HTTP 500",
    Mode.BUSY_503: "HTTP 503 with Retry-After",
    Mode.RATE_LIMIT_429: "HTTP 429 with Retry-After",
    Mode.HANG: "accept the request and never answer (the client times out)",
    Mode.REFUSE: "close the connection without an answer",
    Mode.MALFORMED: "HTTP 200 with a truncated, invalid JSON body",
    Mode.UNAUTHORIZED_401: "HTTP 401 whatever the token (Home Assistant asks to reauthenticate)",
    Mode.FROZEN: "answer, but with the collar's last data: updated_at and position stop moving",
    Mode.DRAIN: "the battery falls 10 points a minute to 5 %, then charges to 100 % (charging: true), again and again",
    Mode.WANDER: (
        "the dog wanders off: from where it is it walks straight away from home"
        " along its bearing at 1.3 m/s (activity walking) until it is healed"
    ),
}

# Short names for the command line: `break buddy 500`.
ALIASES: dict[str, Mode] = {
    "ok": Mode.HEALTHY,
    "500": Mode.ERROR_500,
    "503": Mode.BUSY_503,
    "busy": Mode.BUSY_503,
    "429": Mode.RATE_LIMIT_429,
    "ratelimit": Mode.RATE_LIMIT_429,
    "401": Mode.UNAUTHORIZED_401,
    "unauthorized": Mode.UNAUTHORIZED_401,
    "timeout": Mode.HANG,
    "close": Mode.REFUSE,
    "json": Mode.MALFORMED,
    "freeze": Mode.FROZEN,
    "battery": Mode.DRAIN,
    "escape": Mode.WANDER,
    "wanderoff": Mode.WANDER,
}

# Targets of a mode besides a dog id.
ALL = "all"
"""Every dog and the health check."""
HEALTH = "health"
"""Only `GET /api/v1/health`."""


def parse_mode(text: str) -> Mode:
    """Return the mode a name or alias stands for; raise ValueError when unknown."""
    name = text.strip().lower()
    if name in ALIASES:
        return ALIASES[name]
    try:
        return Mode(name)
    except ValueError:
        known = ", ".join([*MODES, *ALIASES])
        raise ValueError(f"unknown mode {text!r}; known: {known}") from None

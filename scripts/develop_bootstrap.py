"""Drive the development Home Assistant of scripts/develop over its REST API.

Stdlib only, so it runs before and without any extra package.

    develop_bootstrap.py check-port      fail when something already listens on 8123
                                         or on the collar simulator's port
    develop_bootstrap.py wait-simulator PID
                                         wait until the collar simulator (process PID)
                                         answers
    develop_bootstrap.py setup PID       wait for Home Assistant (process PID), onboard
                                         or log in, add the demo dog through the real
                                         config flow unless PawControl is set up already,
                                         then print the login banner
    develop_bootstrap.py login-url [PATH]
                                         print a one-time URL that opens PATH logged in
    develop_bootstrap.py token           print an access token (valid 30 minutes) for
                                         the REST API: curl -H "Authorization: Bearer ..."

Everything it does is idempotent: a second run logs in with the same user and
finds the existing PawControl entry.

The demo dog Buddy reports through the collar simulator (scripts/collar_simulator.py,
started by scripts/develop) as its device API, at $PAWCONTROL_SIMULATOR_URL with
the token $PAWCONTROL_SIMULATOR_TOKEN (scripts/develop sets both; the defaults
are the same).
"""

# ruff: noqa: T201, S310  # a command-line tool that prints and calls a fixed http URL

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
import socket
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

# The sibling module, also when this file is loaded by path (as the tests do).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from hass_websocket import WebSocketError, keep_http_config

HOST = "127.0.0.1"
PORT = 8123
BASE_URL = f"http://{HOST}:{PORT}"
CLIENT_ID = f"{BASE_URL}/"
REDIRECT_URI = f"{BASE_URL}/?auth_callback=1"

# The local development user; README.md states these.
USER_NAME = "Developer"
USERNAME = "dev"
PASSWORD = "pawcontrol-dev"  # noqa: S105  # documented local dev password

DOG_NAME = "Buddy"
DOG_ID = "buddy"  # PawControl's slug of DOG_NAME, and a dog of the collar simulator
# Home Assistant's demo integration provides these; others of the domain are a fallback.
PREFERRED_WEATHER = "weather.demo_weather_south"
# Demo trackers never move and would come first in Buddy's chain of sources.
DEMO_TRACKER_PREFIX = "device_tracker.demo_"

# The collar simulator scripts/develop starts: Buddy's device API.
SIMULATOR_URL = os.environ.get("PAWCONTROL_SIMULATOR_URL", "http://127.0.0.1:8765")
SIMULATOR_TOKEN = os.environ.get("PAWCONTROL_SIMULATOR_TOKEN", "pawcontrol-dev-collar")
SIMULATOR_CLI = "scripts/collar_simulator.py"
# Every 15 s (PawControl's minimum) instead of 60 s: a broken collar opens its
# circuit within a minute, and Buddy's walk shows in small steps.
DEMO_UPDATE_INTERVAL = 15

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"

# Onboarding's core_config step starts these integrations as Home Assistant's own
# frontend does. They need the internet and packages the dev setup does not
# install (hass runs with --skip-pip), so they are removed again.
INTERNET_ONBOARDING_DOMAINS = ("google_translate", "met", "radio_browser")

ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")

START_TIMEOUT = 900  # seconds; the first start creates the database and caches


class BootstrapError(Exception):
    """A step failed; the message says which and why."""


def log(message: str) -> None:
    """Print a progress line."""
    print(f"==> {message}", flush=True)


def request(
    method: str,
    path: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    expect: tuple[int, ...] = (200,),
    base_url: str = BASE_URL,
) -> Any:
    """Send one request and return the decoded JSON answer (None when empty)."""
    headers = {"Accept": "application/json"}
    data: bytes | None = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(
        base_url + path, data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    if status not in expect:
        raise BootstrapError(
            f"{method} {path} answered {status}: {body.decode(errors='replace')[:500]}"
        )
    try:
        return json.loads(body) if body else None
    except ValueError:  # e.g. the plain-text "404: Not Found"
        return body.decode(errors="replace")


def port_in_use(host: str = HOST, port: int = PORT) -> bool:
    """Return True when something accepts connections on host:port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def simulator_address() -> tuple[str, int]:
    """Return the host and port of the collar simulator."""
    parts = urllib.parse.urlsplit(SIMULATOR_URL)
    return parts.hostname or HOST, parts.port or 80


def wait_for_simulator(pid: int) -> None:
    """Wait until the collar simulator answers its control endpoint."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not process_alive(pid):
            raise BootstrapError(
                "the collar simulator exited; see config/collar-simulator.log"
            )
        try:
            request("GET", "/control/state", base_url=SIMULATOR_URL)
        except (OSError, BootstrapError):
            time.sleep(0.2)
        else:
            return
    raise BootstrapError(f"the collar simulator did not answer at {SIMULATOR_URL}")


def process_alive(pid: int) -> bool:
    """Return True while the process exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_for_http(pid: int) -> list[dict[str, Any]]:
    """Wait until the onboarding API answers and return the onboarding steps."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not process_alive(pid):
            raise BootstrapError(
                "Home Assistant exited during startup; see "
                "config/home-assistant.log and config/home-assistant.console.log"
            )
        try:
            # The server starts once the frontend, and so onboarding, is set up;
            # onboarding's views exist only until onboarding is done.
            steps: Any = request("GET", "/api/onboarding", expect=(200, 404))
        except (OSError, BootstrapError):
            time.sleep(1)
        else:
            if not isinstance(steps, list):  # 404: onboarded already
                return [{"step": step, "done": True} for step in ONBOARDING_STEPS]
            return steps
    raise BootstrapError(f"Home Assistant did not answer within {START_TIMEOUT} s")


def exchange_code(code: str) -> str:
    """Exchange an authorization code for an access token."""
    tokens = request(
        "POST",
        "/auth/token",
        form={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": CLIENT_ID,
        },
    )
    return str(tokens["access_token"])


def login_code() -> str:
    """Log in with the development user through the login flow; return the code."""
    flow = request(
        "POST",
        "/auth/login_flow",
        json_body={
            "client_id": CLIENT_ID,
            "handler": ["homeassistant", None],
            "redirect_uri": REDIRECT_URI,
        },
    )
    result = request(
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        json_body={"client_id": CLIENT_ID, "username": USERNAME, "password": PASSWORD},
    )
    if result.get("type") != "create_entry":
        raise BootstrapError(
            f"login as {USERNAME!r} failed ({result.get('errors') or result}); "
            "config/ was onboarded with other credentials. "
            "Remove config/.storage to start from scratch."
        )
    return str(result["result"])


def onboard(steps: list[dict[str, Any]]) -> str:
    """Finish every open onboarding step; return an access token."""
    done = {step["step"] for step in steps if step["done"]}
    if "user" in done:
        token = exchange_code(login_code())
        log(f"logged in as {USERNAME!r}")
    else:
        log(f"onboarding: creating the local user {USERNAME!r}")
        answer = request(
            "POST",
            "/api/onboarding/users",
            json_body={
                "client_id": CLIENT_ID,
                "name": USER_NAME,
                "username": USERNAME,
                "password": PASSWORD,
                "language": "en",
            },
        )
        token = exchange_code(answer["auth_code"])
    if "core_config" not in done:
        log(
            "onboarding: core configuration (Home Assistant now tries to add "
            "met, radio_browser and google_translate and logs errors: they "
            "need packages and the internet this setup does not have)"
        )
        request("POST", "/api/onboarding/core_config", token=token, json_body={})
    if "analytics" not in done:
        log("onboarding: analytics (left disabled)")
        request("POST", "/api/onboarding/analytics", token=token, json_body={})
    if "integration" not in done:
        log("onboarding: integrations")
        request(
            "POST",
            "/api/onboarding/integration",
            token=token,
            json_body={"client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI},
        )
    return token


def wait_until_running(token: str, pid: int) -> None:
    """Wait until Home Assistant has finished starting."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not process_alive(pid):
            raise BootstrapError("Home Assistant exited during startup")
        if request("GET", "/api/config", token=token).get("state") == "RUNNING":
            return
        time.sleep(1)
    raise BootstrapError(f"Home Assistant did not finish starting in {START_TIMEOUT} s")


def confirm_http_config(token: str) -> None:
    """Keep Home Assistant on 127.0.0.1:8123 after its five-minute `http:` trial."""
    try:
        if keep_http_config(BASE_URL, token):
            log("confirmed the http: settings of config/configuration.yaml")
    except (OSError, WebSocketError) as err:
        warn(
            f"could not confirm the http: settings ({err}); Home Assistant may "
            "fall back to all addresses on port 8123 after five minutes"
        )


def config_entries(token: str, domain: str | None = None) -> list[dict[str, Any]]:
    """Return the config entries, optionally of one domain."""
    query = f"?domain={domain}" if domain else ""
    entries: list[dict[str, Any]] = request(
        "GET", f"/api/config/config_entries/entry{query}", token=token
    )
    return entries


def remove_internet_onboarding_entries(token: str, *, wait: bool) -> None:
    """Remove the entries onboarding created for integrations that need the internet.

    Runs on every start, so a first start interrupted here is cleaned up later.
    """
    # Onboarding starts their flows as background tasks; give them time to finish.
    deadline = time.monotonic() + (10 if wait else 0)
    while True:
        found = [
            entry
            for entry in config_entries(token)
            if entry["domain"] in INTERNET_ONBOARDING_DOMAINS
            and entry.get("source") == "onboarding"
        ]
        if (
            len(found) == len(INTERNET_ONBOARDING_DOMAINS)
            or time.monotonic() > deadline
        ):
            break
        time.sleep(1)
    for entry in found:
        log(f"removing {entry['domain']} (added by onboarding; needs the internet)")
        request(
            "DELETE",
            f"/api/config/config_entries/entry/{entry['entry_id']}",
            token=token,
        )


def demo_entities(token: str) -> tuple[str | None, list[str]]:
    """Return the demo weather entity and notify entities."""
    deadline = time.monotonic() + 120
    while True:
        ids = sorted(
            state["entity_id"] for state in request("GET", "/api/states", token=token)
        )
        weathers = [i for i in ids if i.startswith("weather.demo")]
        if weathers or time.monotonic() > deadline:
            break
        time.sleep(2)
    weather = (
        PREFERRED_WEATHER
        if PREFERRED_WEATHER in weathers
        else next(iter(weathers), None)
    )
    notify = [i for i in ids if i.startswith("notify.")][:1]
    return weather, notify


def ensure_demo_dog(token: str) -> None:
    """Add the demo dog, or make an existing entry use the collar simulator."""
    if entries := config_entries(token, "pawcontrol"):
        log(f"PawControl is already set up ({len(entries)} entry, reused)")
        for entry in entries:
            use_simulator(token, entry)
        return
    entry_id = add_demo_dog(token)
    set_update_interval(token, entry_id)


def add_demo_dog(token: str) -> str:
    """Run PawControl's config flow for the demo dog; return the new entry's id."""
    weather, notify = demo_entities(token)
    flow = request(
        "POST",
        "/api/config/config_entries/flow",
        token=token,
        json_body={"handler": "pawcontrol", "show_advanced_options": False},
    )
    if flow.get("type") != "form":
        raise BootstrapError(f"PawControl's config flow did not show a form: {flow}")
    fields = {field["name"] for field in flow.get("data_schema", [])}
    # No GPS source: Buddy's location comes from his (simulated) collar.
    user_input: dict[str, Any] = {
        "name": DOG_NAME,
        "weather_entity": weather,
        "notify_entities": notify,
        "api_url": SIMULATOR_URL,
        "api_token": SIMULATOR_TOKEN,
    }
    user_input = {k: v for k, v in user_input.items() if v and k in fields}
    shown = {k: "***" if k == "api_token" else v for k, v in user_input.items()}
    log(f"PawControl config flow: adding {DOG_NAME} with {json.dumps(shown)}")
    result = request(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        token=token,
        json_body=user_input,
    )
    if result.get("type") != "create_entry":
        request(
            "DELETE", f"/api/config/config_entries/flow/{flow['flow_id']}", token=token
        )
        raise BootstrapError(
            f"PawControl's config flow did not create the entry: {result}"
        )
    log(
        f"PawControl entry created: {result['result']['title']} ({result['result']['entry_id']})"
    )
    return str(result["result"]["entry_id"])


def set_update_interval(token: str, entry_id: str) -> None:
    """Set the demo entry's update interval through the options flow (best effort)."""
    base = "/api/config/config_entries/options/flow"
    flow = request("POST", base, token=token, json_body={"handler": entry_id})
    try:
        step = request(
            "POST",
            f"{base}/{flow['flow_id']}",
            token=token,
            json_body={"next_step_id": "update_interval"},
        )
        result = request(
            "POST",
            f"{base}/{step['flow_id']}",
            token=token,
            json_body={"update_interval": DEMO_UPDATE_INTERVAL},
        )
    except (BootstrapError, KeyError, TypeError) as err:
        result = {"error": str(err)}
    if not isinstance(result, dict) or result.get("type") != "create_entry":
        request("DELETE", f"{base}/{flow['flow_id']}", token=token, expect=(200, 404))
        warn(f"could not set the update interval to {DEMO_UPDATE_INTERVAL} s: {result}")
        return
    log(f"PawControl options: update interval {DEMO_UPDATE_INTERVAL} s")


def stored_entry(entry_id: str) -> dict[str, Any]:
    """Return an entry as Home Assistant stored it in config/.storage (or {})."""
    path = CONFIG_DIR / ".storage" / "core.config_entries"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        entries = stored["data"]["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return next((e for e in entries if e.get("entry_id") == entry_id), {})


def use_simulator(token: str, entry: dict[str, Any]) -> None:
    """Point an entry without a device API at the collar simulator; explain the rest."""
    stored = stored_entry(entry["entry_id"])
    url = (stored.get("data") or {}).get("api_url")
    dogs = (stored.get("options") or {}).get("dogs") or []
    buddy = next((d for d in dogs if d.get("dog_id") == DOG_ID), None)
    if not stored:
        warn("could not read config/.storage/core.config_entries; entry left as it is")
        return
    if url == SIMULATOR_URL:
        log(f"PawControl's device API is the collar simulator ({url})")
    elif url:
        warn(
            f"PawControl's device API is {url}, not the collar simulator: "
            f"Reconfigure it to {SIMULATOR_URL} (token {SIMULATOR_TOKEN}) to use it"
        )
    else:
        reconfigure_to_simulator(token, entry["entry_id"])
    if buddy is None:
        warn(
            f"no dog {DOG_ID!r} in PawControl; the collar simulator reports "
            "buddy and max: add one of them (Configure -> Add a dog)"
        )
    elif str(buddy.get("gps_source", "")).startswith(DEMO_TRACKER_PREFIX):
        warn(
            f"{DOG_NAME} follows {buddy['gps_source']} first, which never moves: "
            "clear his GPS source (Configure -> Edit a dog), or delete "
            "config/.storage to start over"
        )


def reconfigure_to_simulator(token: str, entry_id: str) -> None:
    """Give an entry without a device API the collar simulator, via Reconfigure."""
    base = "/api/config/config_entries/flow"
    flow = request(
        "POST",
        base,
        token=token,
        json_body={"handler": "pawcontrol", "entry_id": entry_id},
    )
    result = request(
        "POST",
        f"{base}/{flow['flow_id']}",
        token=token,
        json_body={"api_url": SIMULATOR_URL, "api_token": SIMULATOR_TOKEN},
    )
    if result.get("type") != "abort" or result.get("reason") != (
        "reconfigure_successful"
    ):
        request("DELETE", f"{base}/{flow['flow_id']}", token=token, expect=(200, 404))
        warn(f"could not reconfigure PawControl to the collar simulator: {result}")
        return
    log(f"PawControl reconfigured: its device API is now {SIMULATOR_URL}")


def sync_simulator_home(token: str) -> None:
    """Let the simulated dogs walk round Home Assistant's home location."""
    config = request("GET", "/api/config", token=token)
    latitude, longitude = config.get("latitude"), config.get("longitude")
    if not latitude and not longitude:
        return
    try:
        request(
            "POST",
            "/control/home",
            json_body={"latitude": latitude, "longitude": longitude},
            base_url=SIMULATOR_URL,
        )
    except (OSError, BootstrapError) as err:
        warn(f"the collar simulator did not take the home location: {err}")
        return
    log(f"collar simulator: the dogs walk round home ({latitude}, {longitude})")


def report_entry_state(token: str) -> None:
    """Wait up to a minute for the PawControl entry to load; warn when it does not."""
    deadline = time.monotonic() + 60
    while True:
        state = next((e["state"] for e in config_entries(token, "pawcontrol")), None)
        if state == "loaded":
            log("PawControl is loaded")
            return
        if time.monotonic() > deadline or state in ("setup_error", "migration_error"):
            # Home Assistant keeps running so the problem can be looked at.
            warn(f"PawControl's entry is {state!r}; see config/home-assistant.log")
            return
        time.sleep(1)


def setup(pid: int, *, follow: bool = False) -> None:
    """Bring the running Home Assistant to the demo state, then print the banner."""
    log(f"waiting for Home Assistant on {BASE_URL}")
    steps = wait_for_http(pid)
    core_config_done = any(
        step["step"] == "core_config" and step["done"] for step in steps
    )
    token = onboard(steps)
    wait_until_running(token, pid)
    confirm_http_config(token)
    remove_internet_onboarding_entries(token, wait=not core_config_done)
    sync_simulator_home(token)
    try:
        ensure_demo_dog(token)
    except BootstrapError as err:
        # Home Assistant keeps running so the problem can be looked at.
        warn(str(err))
    report_entry_state(token)
    print(banner(follow=follow), flush=True)


def banner(*, follow: bool) -> str:
    """Return the login banner with the commands that break and heal Buddy's collar."""
    log_line = (
        "config/home-assistant.log (followed below)"
        if follow
        else "config/home-assistant.log (scripts/develop --follow shows it here)"
    )
    return f"""
PawControl development Home Assistant is running
  URL:       {BASE_URL}
  Username:  {USERNAME}
  Password:  {PASSWORD}
  Demo dog:  {DOG_NAME} (Settings -> Devices & services -> Devices), walking
             with a simulated collar at {SIMULATOR_URL} (token {SIMULATOR_TOKEN})
  Break Buddy's collar:  {SIMULATOR_CLI} break {DOG_ID} 500
  Heal it:               {SIMULATOR_CLI} heal {DOG_ID}
             other failures: 503, 429, 401, hang, refuse, malformed
  Freeze his collar:     {SIMULATOR_CLI} break {DOG_ID} freeze
             (it answers, but its data stops: Not reporting after 30 minutes)
  Drain its battery:     {SIMULATOR_CLI} break {DOG_ID} drain
             (10 points a minute down to 5 %, then it charges: Battery low, Charging)
  Let him wander off:    {SIMULATOR_CLI} break {DOG_ID} wander
             (he walks away from home until healed: the escape alert, if set up)
             {SIMULATOR_CLI} status shows what the collar does
  Log:       {log_line}
Stop it with Ctrl-C.
"""


def check_port() -> None:
    """Fail when something already listens on Home Assistant's or the simulator's port."""
    if port_in_use():
        raise BootstrapError(
            f"{HOST}:{PORT} is already in use (another scripts/develop "
            "or Home Assistant?); stop it first"
        )
    host, port = simulator_address()
    if port_in_use(host, port):
        raise BootstrapError(
            f"{host}:{port} (the collar simulator's port) is already in use "
            "(another scripts/develop?); stop it first"
        )


def login_url(path: str) -> str:
    """Return a one-time URL that opens path with the development user logged in."""
    state = base64.b64encode(
        json.dumps({"hassUrl": BASE_URL, "clientId": CLIENT_ID}).encode()
    ).decode()
    query = urllib.parse.urlencode(
        {"auth_callback": "1", "code": login_code(), "state": state}
    )
    return f"{BASE_URL}{path}?{query}"


def warn(message: str) -> None:
    """Print a warning that does not stop the setup."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    """Run the sub-command."""
    try:
        if argv[:1] == ["check-port"]:
            check_port()
        elif argv[:1] == ["wait-simulator"] and len(argv) == 2:
            wait_for_simulator(int(argv[1]))
        elif (
            argv[:1] == ["setup"] and len(argv) >= 2 and argv[2:] in ([], ["--follow"])
        ):
            setup(int(argv[1]), follow=argv[2:] == ["--follow"])
        elif argv[:1] == ["login-url"] and len(argv) <= 2:
            print(login_url(argv[1] if len(argv) == 2 else "/"))
        elif argv == ["token"]:
            print(exchange_code(login_code()))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except BootstrapError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Talk to the e2e Home Assistant as its users do: REST, websocket and the login flow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import itertools
from typing import Any, Final

from aiohttp import ClientSession, ClientTimeout, ClientWSTimeout, WSMsgType

from .scripts import HASS_WEBSOCKET

OWNER_NAME: Final = "E2E Owner"
OWNER_USERNAME: Final = "owner"
OWNER_PASSWORD: Final = "pawcontrol-e2e-owner"  # a throwaway local user
USER_USERNAME: Final = "family"
USER_PASSWORD: Final = "pawcontrol-e2e-family"  # a throwaway local user

# Onboarding's core_config step starts these; they need the internet and
# packages the e2e instance does not have (hass runs with --skip-pip).
INTERNET_ONBOARDING_DOMAINS: Final = ("google_translate", "met", "radio_browser")

TIMEOUT: Final = ClientTimeout(total=60)


class HassError(AssertionError):
    """Home Assistant answered something other than what the test expected."""


def run_sync[T](make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a private event loop (for fixtures that outlive a test's loop)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(make())
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


class HassApi:
    """REST calls with one user's access token (or none)."""

    def __init__(
        self, session: ClientSession, base_url: str, token: str | None = None
    ) -> None:
        """Use ``session`` for every request."""
        self.session = session
        self.base_url = base_url
        self.token = token

    @property
    def client_id(self) -> str:
        """Return the OAuth client id the frontend uses: Home Assistant's own URL."""
        return f"{self.base_url}/"

    def with_token(self, token: str) -> HassApi:
        """Return a client for another user's token on the same session."""
        return HassApi(self.session, self.base_url, token)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Any:
        """Send a request; return the JSON answer (text when not JSON)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method,
            self.base_url + path,
            json=json,
            data=form,
            headers=headers,
            timeout=TIMEOUT,
        ) as response:
            text = await response.text()
            if response.status not in expect:
                raise HassError(
                    f"{method} {path} answered {response.status}: {text[:1000]}"
                )
            if response.content_type == "application/json":
                return await response.json()
            return text

    async def get(self, path: str, **kwargs: Any) -> Any:
        """GET a path."""
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        """POST JSON to a path."""
        return await self.request("POST", path, json=body or {}, **kwargs)

    async def state(self, entity_id: str) -> dict[str, Any]:
        """Return an entity's state object."""
        state: dict[str, Any] = await self.get(f"/api/states/{entity_id}")
        return state

    async def states(self) -> dict[str, dict[str, Any]]:
        """Return every state by entity id."""
        return {state["entity_id"]: state for state in await self.get("/api/states")}

    async def call(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> Any:
        """Call an action and return the changed states."""
        return await self.post(f"/api/services/{domain}/{service}", data)

    async def call_for_response(
        self, domain: str, service: str, data: dict[str, Any] | None = None
    ) -> Any:
        """Call an action and return its response."""
        answer = await self.post(
            f"/api/services/{domain}/{service}?return_response", data
        )
        return answer["service_response"]

    async def render(self, template: str) -> str:
        """Render a template as Home Assistant does."""
        return str(await self.post("/api/template", {"template": template}))

    async def exchange_code(self, code: str) -> str:
        """Exchange an authorization code for an access token."""
        tokens = await self.request(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        )
        return str(tokens["access_token"])

    async def login(self, username: str, password: str) -> str:
        """Log in through the login flow as the frontend does; return an access token."""
        flow = await self.post(
            "/auth/login_flow",
            {
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        result = await self.post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise HassError(f"login as {username!r} failed: {result}")
        return await self.exchange_code(str(result["result"]))

    async def onboard(self) -> str:
        """Onboard the owner over the REST API; return the owner's access token."""
        answer = await self.post(
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": OWNER_NAME,
                "username": OWNER_USERNAME,
                "password": OWNER_PASSWORD,
                "language": "en",
            },
        )
        owner = self.with_token(await self.exchange_code(answer["auth_code"]))
        await owner.post("/api/onboarding/core_config")
        await owner.post("/api/onboarding/analytics")
        await owner.post(
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.base_url}/?auth_callback=1",
            },
        )
        return str(owner.token)

    async def keep_http_config(self) -> bool:
        """Confirm the YAML `http:` settings where Home Assistant only tries them.

        Newer releases (2026.8 and later) move `http:` to storage as a trial
        that reverts to the defaults (all addresses, port 8123) after five
        minutes unless an admin confirms it. This runs scripts/develop's own
        stdlib client, so that the development instance is proven here too.
        """
        return await asyncio.to_thread(
            HASS_WEBSOCKET.keep_http_config, self.base_url, str(self.token)
        )

    async def remove_internet_onboarding_entries(self) -> None:
        """Remove what onboarding added that needs the internet, as scripts/develop does."""
        # Onboarding starts their flows in the background: wait until they ended.
        async with HassWebSocket(self) as ws:
            for _ in range(120):
                flows = await ws.command("config_entries/flow/progress")
                if not any(f["handler"] in INTERNET_ONBOARDING_DOMAINS for f in flows):
                    break
                await asyncio.sleep(0.25)
        entries = await self.get("/api/config/config_entries/entry")
        for entry in entries:
            if (
                entry["domain"] in INTERNET_ONBOARDING_DOMAINS
                and entry.get("source") == "onboarding"
            ):
                await self.request(
                    "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                )


class HassWebSocket:
    """Commands over Home Assistant's websocket API, as the frontend sends them."""

    def __init__(self, api: HassApi) -> None:
        """Connect with the token of ``api`` on first use."""
        self._api = api
        self._ids = itertools.count(1)
        self._ws: Any = None

    async def __aenter__(self) -> HassWebSocket:
        """Connect and authenticate."""
        url = self._api.base_url.replace("http", "ws", 1) + "/api/websocket"
        self._ws = await self._api.session.ws_connect(
            url, timeout=ClientWSTimeout(ws_receive=60, ws_close=10)
        )
        hello = await self._ws.receive_json()
        if hello["type"] != "auth_required":
            raise HassError(f"unexpected websocket greeting: {hello}")
        await self._ws.send_json({"type": "auth", "access_token": self._api.token})
        answer = await self._ws.receive_json()
        if answer["type"] != "auth_ok":
            raise HassError(f"websocket authentication failed: {answer}")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the connection."""
        await self._ws.close()

    async def _result(self, command: str, data: dict[str, Any]) -> dict[str, Any]:
        """Send one command and return its result message."""
        message_id = next(self._ids)
        await self._ws.send_json({"id": message_id, "type": command, **data})
        while True:
            message = await self._ws.receive(timeout=60)
            if message.type != WSMsgType.TEXT:
                raise HassError(f"websocket closed during {command}: {message}")
            answer: dict[str, Any] = message.json()
            if answer.get("id") == message_id and answer["type"] == "result":
                return answer

    async def command(self, command: str, **data: Any) -> Any:
        """Send one command; return its result or raise with its error."""
        answer = await self._result(command, data)
        if not answer["success"]:
            raise HassError(f"{command} failed: {answer['error']}")
        return answer["result"]

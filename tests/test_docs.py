"""The documentation: its examples and blueprint run on Home Assistant, and it covers the code.

Every ```yaml and ```jinja block of docs/resilience-examples.md is checked
against a running Home Assistant with PawControl set up, so the examples
cannot rot; the README must document every action field and every option,
and every link of the README and docs/ must resolve in the repository.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
import logging
from pathlib import Path
import re
import shutil
from typing import Any, Final
from urllib.parse import parse_qs, unquote, urlsplit

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item as async_validate_automation,
)
from homeassistant.components.blueprint import Blueprint
from homeassistant.components.logger import CONFIG_SCHEMA as LOGGER_SCHEMA
from homeassistant.components.script.config import (
    async_validate_config_item as async_validate_script,
)
from homeassistant.components.template.config import (
    async_validate_config as async_validate_template_config,
)
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant, ServiceCall, SupportsResponse
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.script import Script
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import yaml as yaml_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
import yaml

from custom_components.pawcontrol.care.meals import meal_for
from custom_components.pawcontrol.care.reminders import (
    STORAGE_KEY as REMINDER_STORE,
)
from custom_components.pawcontrol.care.store import STORAGE_KEY as CARE_STORE
from custom_components.pawcontrol.const import (
    CONF_API_TOKEN,
    CONF_API_URL,
    CONF_DOGS,
    CONF_GPS_SOURCE,
    CONF_NOTIFY_ENTITIES,
    CONF_NOTIFY_SERVICES,
    CONF_UPDATE_INTERVAL,
    CONF_WEATHER_ENTITY,
    DEFAULT_CARE,
    DEFAULT_GPS_ACCURACY_LIMIT,
    DEFAULT_GPS_MAX_AGE,
    DEFAULT_RESILIENCE,
    DEFAULT_UPDATE_INTERVAL,
    DEFAULT_WEATHER_INTERVAL,
    DOMAIN,
    LOGGER,
)
from custom_components.pawcontrol.escape.manager import (
    STORAGE_KEY as ESCAPE_STORE,
)
from custom_components.pawcontrol.flow_sections import CARE_FIELDS
from custom_components.pawcontrol.flow_validation import (
    DOG_DETAIL_FIELDS,
    RESILIENCE_FIELDS,
    UPDATE_INTERVAL_FIELD,
    WEATHER_INTERVAL_FIELD,
    NumberField,
)
from custom_components.pawcontrol.gps_manager import STORAGE_KEY as GPS_STORE
from custom_components.pawcontrol.notifications import STORAGE_KEY as HELD_STORE
from custom_components.pawcontrol.resilience.manager import (
    STORAGE_KEY as RESILIENCE_STORE,
)
from custom_components.pawcontrol.services import MAX_LENGTHS, MAX_MESSAGE_LENGTH

from .conftest import dog_options
from .device_api import TOKEN, DeviceApiServer, Mode
from .helpers import FAST, collar_reports, setup_entry, tick
from .platforms import async_setup_test_platforms

ROOT: Final = Path(__file__).parents[1]
README: Final = ROOT / "README.md"
DOCS: Final = ROOT / "docs"
EXAMPLES: Final = DOCS / "resilience-examples.md"
BLUEPRINT_PATH: Final = "pawcontrol/circuit_open_alert.yaml"
BLUEPRINT: Final = ROOT / "blueprints" / "automation" / BLUEPRINT_PATH
INTEGRATION: Final = ROOT / "custom_components" / DOMAIN
REPOSITORY: Final = "https://github.com/pawcontrol/pawcontrol"
MOBILE_APP: Final = "notify.mobile_app_pixel_7"
# Every file PawControl keeps in .storage.
STORES: Final = {
    CARE_STORE,
    GPS_STORE,
    REMINDER_STORE,
    HELD_STORE,
    RESILIENCE_STORE,
    ESCAPE_STORE,
}
SPEAKER: Final = "notify.collar_speaker"

# The events PawControl fires and their fields (checked against fired events below).
EVENTS: Final = {
    "pawcontrol_circuit_state_changed": {
        "circuit_name",
        "from_state",
        "to_state",
        "failure_count",
        "reason",
    },
    "pawcontrol_walk_ended": {
        "dog",
        "start",
        "end",
        "duration",
        "distance",
        "duration_s",
        "distance_m",
        "automatic",
    },
    "pawcontrol_dog_left_home": {"dog", "dog_name", "left_at", "escape"},
}
# Card types of Home Assistant's own dashboards that the examples may use.
CARD_TYPES: Final = {
    "button",
    "entities",
    "entity",
    "gauge",
    "glance",
    "history-graph",
    "horizontal-stack",
    "markdown",
    "statistics-graph",
    "tile",
    "vertical-stack",
}
ENTITY_ID: Final = re.compile(
    r"\b(?:sensor|binary_sensor|button|calendar|device_tracker|automation)\.[a-z0-9_]+\b"
)
BLOCK: Final = re.compile(r"^```(yaml|jinja)\n(.*?)^```[ \t]*$", re.M | re.S)
# The target of every Markdown link and image, also of an image inside a link.
LINK: Final = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Block:
    """A fenced block of a Markdown file."""

    path: Path
    line: int
    language: str
    text: str

    def __str__(self) -> str:
        """Return where the block is, for failure messages."""
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    @property
    def data(self) -> Any:
        """Return the YAML of the block, as Home Assistant loads it."""
        return yaml_util.parse_yaml(self.text)

    @property
    def kind(self) -> str:
        """Return what the block is: jinja, template, automation, script, action or card."""
        if self.language == "jinja":
            return "jinja"
        data = self.data
        assert isinstance(data, dict), self
        for key, kind in (
            ("template", "template"),
            ("use_blueprint", "automation"),
            ("triggers", "automation"),
            ("sequence", "script"),
            ("action", "action"),
            ("type", "card"),
        ):
            if key in data:
                return kind
        raise AssertionError(f"{self}: not an example Home Assistant can load")


def blocks(path: Path) -> list[Block]:
    """Return the ```yaml and ```jinja blocks of a Markdown file."""
    text = path.read_text()
    return [
        Block(path, text.count("\n", 0, m.start()) + 1, m[1], m[2])
        for m in BLOCK.finditer(text)
    ]


def section(text: str, heading: str) -> str:
    """Return a Markdown section, from its heading line to the next heading of its level."""
    level = heading.split(" ", 1)[0]
    match = re.search(
        rf"^{re.escape(heading)}\n(.*?)(?=^#{{1,{len(level)}}} |\Z)", text, re.M | re.S
    )
    assert match, f"no section {heading!r}"
    return match.group(1)


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    """Yield every key and value of nested mappings and lists."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key), value
            yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def _plain(data: Any) -> Any:
    """Return YAML data with Home Assistant's node classes as plain Python."""
    if isinstance(data, dict):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(item) for item in data]
    if isinstance(data, str):
        return str(data)
    return data


# ---------------------------------------------------------------------------
# A Home Assistant with PawControl and everything the examples name.


@pytest.fixture
async def notified(hass: HomeAssistant) -> list[ServiceCall]:
    """Register the mobile app's notify service the examples use; return its calls."""
    calls: list[ServiceCall] = []

    async def handle(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("notify", MOBILE_APP.partition(".")[2], handle)
    return calls


@pytest.fixture
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Use a configuration folder that holds the blueprint, as an import would."""
    target = tmp_path / "blueprints" / "automation" / BLUEPRINT_PATH
    target.parent.mkdir(parents=True)
    shutil.copy(BLUEPRINT, target)
    hass.config.config_dir = str(tmp_path)
    return target


def docs_options(**extra: Any) -> dict[str, Any]:
    """Return the options of Buddy with a collar, a weather entity and two targets."""
    return {
        CONF_DOGS: [dog_options(**{CONF_GPS_SOURCE: "device_tracker.buddy_collar"})],
        CONF_WEATHER_ENTITY: "weather.garden",
        CONF_NOTIFY_SERVICES: [MOBILE_APP],
        CONF_NOTIFY_ENTITIES: [SPEAKER],
        CONF_UPDATE_INTERVAL: 60,
        **DEFAULT_RESILIENCE,
        **extra,
    }


async def _set_up(
    hass: HomeAssistant, device_api: DeviceApiServer, **extra: Any
) -> MockConfigEntry:
    """Set up the collar platforms and PawControl with the docs' options."""
    await async_setup_test_platforms(hass)
    collar_reports(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN},
        options=docs_options(**extra),
    )
    await setup_entry(hass, entry)
    return entry


@pytest.fixture
async def docs_entry(
    hass: HomeAssistant,
    device_api: DeviceApiServer,
    notified: list[ServiceCall],
    blueprint_folder: Path,
) -> MockConfigEntry:
    """Set up PawControl as the examples expect it."""
    return await _set_up(hass, device_api)


# ---------------------------------------------------------------------------
# The examples.


def test_examples_are_enough_and_of_every_kind() -> None:
    """At least ten numbered examples, with every kind the issue asks for."""
    text = EXAMPLES.read_text()
    assert len(re.findall(r"^## \d+\. ", text, re.M)) >= 10
    kinds = [block.kind for block in blocks(EXAMPLES)]
    assert len(kinds) >= 10
    assert set(kinds) == {"jinja", "template", "automation", "script", "action", "card"}


def _is_service(key: str, value: Any) -> bool:
    """Return whether a key and value name an action to perform."""
    named = key in ("action", "perform_action") and isinstance(value, str)
    return named and "." in value and "{" not in value


def _check_names(hass: HomeAssistant, block: Block) -> None:
    """Check the entities, actions and event fields a block names exist."""
    for name in ENTITY_ID.findall(block.text):
        if not hass.services.has_service(*name.split(".")):
            assert hass.states.get(name) is not None, (str(block), name)
    if block.language != "yaml":
        return
    data = block.data
    triggered: set[str] = set()
    for key, value in _walk(data):
        if _is_service(key, value):
            domain, _, service = value.partition(".")
            assert hass.services.has_service(domain, service), (str(block), value)
        if key == "event_type":
            assert value in EVENTS, (str(block), value)
            triggered.add(value)
        if key == "event_data" and isinstance(value, dict):
            fields = set().union(*(EVENTS[e] for e in triggered))
            assert set(value) <= fields, (str(block), set(value) - fields)
    used = set(re.findall(r"trigger\.event\.data\.(\w+)", block.text))
    assert used <= set().union(*(EVENTS[e] for e in triggered)), (str(block), used)


async def _render(hass: HomeAssistant, block: Block, text: str) -> str:
    """Render a template strictly: an undefined name fails."""
    rendered = Template(text, hass).async_render(parse_result=False, strict=True)
    assert str(rendered).strip(), block
    return str(rendered)


async def _load_templates(hass: HomeAssistant, templates: list[Block]) -> None:
    """Validate each block's template entities, then load them all at once."""
    items: list[Any] = []
    for block in templates:
        validated = await async_validate_template_config(hass, block.data)
        assert len(validated["template"]) == len(block.data["template"]), block
        items += block.data["template"]
    assert await async_setup_component(hass, "template", {"template": items})
    await hass.async_block_till_done()


def _check_template(hass: HomeAssistant, block: Block) -> None:
    """Check each template entity of a block has a state."""
    registry = er.async_get(hass)
    for item in block.data["template"]:
        for domain, entities in item.items():
            for config in entities:
                entity_id = registry.async_get_entity_id(
                    domain, "template", config["unique_id"]
                )
                assert entity_id is not None, (str(block), config["name"])
                state = hass.states.get(entity_id)
                assert state is not None, (str(block), entity_id)
                assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN), (
                    str(block),
                    entity_id,
                    state.state,
                )


async def _run_action(hass: HomeAssistant, block: Block) -> None:
    """Validate a single action as a script, then perform it."""
    data = block.data
    await async_validate_script(hass, "docs", {"sequence": [data]})
    domain, _, service = data["action"].partition(".")
    supports = hass.services.supports_response(domain, service)
    response = await hass.services.async_call(
        domain,
        service,
        _plain(data.get("data", {})),
        blocking=True,
        return_response=supports is not SupportsResponse.NONE,
    )
    if supports is not SupportsResponse.NONE:
        assert isinstance(response, dict), block


async def _run_script(hass: HomeAssistant, block: Block) -> None:
    """Validate a script and run it."""
    validated = await async_validate_script(hass, "docs", block.data)
    assert validated is not None, block
    script = Script(hass, validated["sequence"], "docs", "script")
    await script.async_run(context=Context())
    await hass.async_block_till_done()


async def _check_card(hass: HomeAssistant, block: Block) -> None:
    """Check a card's type and render a markdown card's content."""
    data = block.data
    cards = data.get("cards", []) if "stack" in data["type"] else [data]
    for card in [data, *cards]:
        assert card["type"] in CARD_TYPES, (str(block), card["type"])
        if card["type"] == "markdown":
            await _render(hass, block, card["content"])


async def test_every_example_works(
    hass: HomeAssistant, docs_entry: MockConfigEntry, notified: list[ServiceCall]
) -> None:
    """Each block, in the order of the file, renders, loads, validates or runs."""
    examples = blocks(EXAMPLES)
    await _load_templates(hass, [b for b in examples if b.kind == "template"])
    for block in examples:
        _check_names(hass, block)
        kind = block.kind
        if kind == "jinja":
            await _render(hass, block, block.text)
        elif kind == "template":
            _check_template(hass, block)
        elif kind == "automation":
            config = await async_validate_automation(hass, "docs", block.data)
            assert config is not None, block
            assert config.validation_status == "ok", (str(block), config)
        elif kind == "action":
            await _run_action(hass, block)
        elif kind == "script":
            await _run_script(hass, block)
        else:
            await _check_card(hass, block)
    # The alert and the summary of the walk (started by an action, ended by a
    # script) reached the phone.
    titles = [call.data["title"] for call in notified]
    assert titles == ["PawControl: Buddy (Warning)", "Walk ended"]


async def test_templates_read_an_outage(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    notified: list[ServiceCall],
    blueprint_folder: Path,
) -> None:
    """During an outage the examples show the next test time and the data's age."""
    await _set_up(hass, device_api, **FAST)
    device_api.mode = Mode.ERROR_500
    hass.states.async_set("device_tracker.buddy_collar", "unavailable")
    for _ in range(4):
        await tick(hass, freezer)
    rendered = [
        await _render(hass, block, block.text)
        for block in blocks(EXAMPLES)
        if block.kind == "jinja"
    ]
    # 18:00:45 in UTC is 10:00:45 in the tests' Los Angeles, plus the jitter.
    assert any("dog_buddy (open, next test at 10:01:" in text for text in rendered)
    assert any(
        "Buddy's location is from 10:00, 1.0 minutes old." in text for text in rendered
    )


async def test_quickstart_blocks_work(
    hass: HomeAssistant, docs_entry: MockConfigEntry
) -> None:
    """The quickstart's template renders and its actions run, in order."""
    steps = blocks(DOCS / "resilience-quickstart.md")
    assert [block.kind for block in steps] == ["jinja", "action", "action", "action"]
    assert await _render(hass, steps[0], steps[0].text) == "closed"
    for block in steps[1:]:
        _check_names(hass, block)
        await _run_action(hass, block)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "off"


async def test_readme_blocks_work(
    hass: HomeAssistant, docs_entry: MockConfigEntry
) -> None:
    """The README's templates render and its logger configuration is valid."""
    readme = blocks(README)
    for block in (b for b in readme if b.language == "jinja"):
        _check_names(hass, block)
        await _render(hass, block, block.text)
    loggers = [b for b in readme if b.language == "yaml" and "logger" in b.data]
    assert len(loggers) == 1
    assert LOGGER_SCHEMA(loggers[0].data)["logger"]["logs"] == {
        "custom_components.pawcontrol": logging.DEBUG
    }
    assert LOGGER.name == "custom_components.pawcontrol"


async def test_events_have_the_documented_fields(
    hass: HomeAssistant, docs_entry: MockConfigEntry
) -> None:
    """The fields of the fired events are the ones the docs and examples use."""
    circuit = async_capture_events(hass, "pawcontrol_circuit_state_changed")
    walks = async_capture_events(hass, "pawcontrol_walk_ended")
    data = {"circuit_name": "dog_buddy"}
    await hass.services.async_call(
        DOMAIN, "isolate_circuit_breaker", data, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "start_walk", {"dog": "buddy"}, blocking=True
    )
    await hass.services.async_call(DOMAIN, "end_walk", {"dog": "buddy"}, blocking=True)
    await hass.async_block_till_done()
    assert set(circuit[0].data) == EVENTS["pawcontrol_circuit_state_changed"]
    assert set(walks[0].data) == EVENTS["pawcontrol_walk_ended"]
    readme = README.read_text()
    for event, fields in EVENTS.items():
        described = section(readme, "### Events")
        assert f"`{event}`" in described
        for field in fields:
            assert f"`{field}`" in described, (event, field)


# ---------------------------------------------------------------------------
# The blueprint.


def _blueprint() -> Blueprint:
    """Load the blueprint through Home Assistant's blueprint model."""
    data = yaml_util.load_yaml_dict(BLUEPRINT)
    return Blueprint(
        data,
        path=BLUEPRINT_PATH,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_blueprint_is_valid() -> None:
    """The blueprint passes the model, runs on this release and links itself."""
    blueprint = _blueprint()
    assert blueprint.validate() is None
    assert set(blueprint.inputs) == {
        "circuits",
        "minutes",
        "include_isolated",
        "actions",
    }
    source = blueprint.metadata["source_url"]
    assert source == f"{REPOSITORY}/blob/main/blueprints/automation/{BLUEPRINT_PATH}"
    badge = (
        "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
        + source.replace(":", "%3A").replace("/", "%2F")
    )
    assert f"]({badge})" in README.read_text()


async def _blueprint_automation(hass: HomeAssistant, **inputs: Any) -> list[Any]:
    """Set up an automation from the blueprint that fires a test event."""
    events = async_capture_events(hass, "docs_circuit_open")
    action = {
        "event": "docs_circuit_open",
        "event_data": {
            "circuit_name": "{{ circuit_name }}",
            "circuit_label": "{{ circuit_label }}",
            "minutes": "{{ minutes }}",
            "last_error": "{{ last_error }}",
        },
    }
    config = {
        "id": "docs_blueprint",
        "use_blueprint": {
            "path": BLUEPRINT_PATH,
            "input": {
                "circuits": ["binary_sensor.buddy_device_connection"],
                "minutes": 1,
                "actions": [action],
                **inputs,
            },
        },
    }
    validated = await async_validate_automation(hass, "docs_blueprint", config)
    assert validated is not None
    assert validated.validation_status == "ok"
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    return events


async def test_blueprint_with_defaults_validates(
    hass: HomeAssistant, docs_entry: MockConfigEntry
) -> None:
    """An automation that only picks circuits gets the defaults and validates."""
    config = {
        "use_blueprint": {
            "path": BLUEPRINT_PATH,
            "input": {"circuits": ["binary_sensor.buddy_device_connection"]},
        }
    }
    validated = await async_validate_automation(hass, "docs", config)
    assert validated is not None
    assert validated.validation_status == "ok"


async def test_blueprint_runs_when_a_circuit_stays_open(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    notified: list[ServiceCall],
    blueprint_folder: Path,
) -> None:
    """A collar that keeps failing: one run after the circuit was on for a minute."""
    await _set_up(hass, device_api, **FAST)
    events = await _blueprint_automation(hass)
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "on"
    # Half a minute: nothing yet; the circuit tests the collar, fails, opens again.
    await tick(hass, freezer, 30)
    assert events == []
    for _ in range(3):
        await tick(hass, freezer, 15)
    assert len(events) == 1
    assert events[0].data["circuit_name"] == "dog_buddy"
    assert events[0].data["circuit_label"] == "Buddy Device connection"
    assert events[0].data["minutes"] == 1
    assert "500" in events[0].data["last_error"]


async def test_blueprint_quiet_for_a_short_outage_and_isolation(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_api: DeviceApiServer,
    notified: list[ServiceCall],
    blueprint_folder: Path,
) -> None:
    """A circuit that closes in time, or one isolated by hand, runs nothing."""
    await _set_up(hass, device_api, **FAST)
    events = await _blueprint_automation(hass)
    device_api.mode = Mode.ERROR_500
    for _ in range(3):
        await tick(hass, freezer)
    await tick(hass, freezer, 30)
    device_api.mode = Mode.HEALTHY
    await hass.services.async_call(
        DOMAIN, "reset_circuit_breaker", {"circuit_name": "dog_buddy"}, blocking=True
    )
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "off"
    await hass.services.async_call(
        DOMAIN, "isolate_circuit_breaker", {"circuit_name": "dog_buddy"}, blocking=True
    )
    for _ in range(8):
        await tick(hass, freezer)
    assert hass.states.get("binary_sensor.buddy_device_connection").state == "on"
    assert events == []


async def test_blueprint_default_action_notifies(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    docs_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """With the default actions, an isolated circuit (when asked for) is notified."""
    config = {
        "use_blueprint": {
            "path": BLUEPRINT_PATH,
            "input": {
                "circuits": ["binary_sensor.buddy_device_connection"],
                "minutes": 2,
                "include_isolated": True,
            },
        }
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN, "isolate_circuit_breaker", {"circuit_name": "dog_buddy"}, blocking=True
    )
    for _ in range(9):
        await tick(hass, freezer)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    response = await client.receive_json()
    shown = [
        (item["notification_id"], item["title"], item["message"])
        for item in response["result"]
    ]
    assert shown == [
        (
            "pawcontrol_circuit_open_dog_buddy",
            "PawControl: Buddy Device connection",
            "The circuit dog_buddy has been open for more than 2 minutes. "
            "Last error: none recorded",
        )
    ]


# ---------------------------------------------------------------------------
# The README covers every action field and every option.


def _readme() -> str:
    """Return the README."""
    return README.read_text()


def _row(text: str, key: str) -> str:
    """Return the table row of a key (its first cell is `key`)."""
    rows = [line for line in text.splitlines() if line.startswith(f"| `{key}` |")]
    assert len(rows) == 1, (key, rows)
    return rows[0].replace("\N{MINUS SIGN}", "-")


def action_gaps(responses: dict[str, bool]) -> list[str]:
    """Return what the README's actions section misses of services.yaml."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    actions = section(_readme(), "### Actions")
    gaps: list[str] = []
    for service, spec in services.items():
        heading = f"#### `{DOMAIN}.{service}`"
        if heading not in actions:
            gaps.append(heading)
            continue
        part = section(actions, heading)
        said = "Response:" in part if responses[service] else "No response" in part
        if not said:
            gaps.append(f"{service}: response")
        for field, field_spec in spec.get("fields", {}).items():
            row = _row(part, field)
            needed = ["yes" if field_spec.get("required") else "no"]
            selector = field_spec.get("selector", {})
            if number := selector.get("number"):
                needed += [f"{number['min']:g}", f"{number['max']:g}"]
            if select := selector.get("select"):
                needed += [f"`{option}`" for option in select["options"]]
            if "default" in field_spec:
                needed.append(f"`{field_spec['default']}`")
            if field in MAX_LENGTHS:
                needed.append(f"at most {MAX_LENGTHS[field]} characters")
            if field == "message":
                needed.append(f"1\N{EN DASH}{MAX_MESSAGE_LENGTH} characters")
            gaps += [f"{service}.{field}: {n}" for n in needed if n not in row]
    return gaps


def _numbers() -> dict[str, tuple[NumberField, float]]:
    """Return every number option of the forms with its field and default."""
    fields: dict[str, tuple[NumberField, float]] = {
        key: (field, DEFAULT_RESILIENCE[key])
        for key, field in RESILIENCE_FIELDS.items()
    }
    fields |= {key: (field, DEFAULT_CARE[key]) for key, field in CARE_FIELDS.items()}
    fields["gps_max_age"] = (DOG_DETAIL_FIELDS["gps_max_age"], DEFAULT_GPS_MAX_AGE)
    fields["gps_accuracy_limit"] = (
        DOG_DETAIL_FIELDS["gps_accuracy_limit"],
        DEFAULT_GPS_ACCURACY_LIMIT,
    )
    fields["update_interval"] = (UPDATE_INTERVAL_FIELD, DEFAULT_UPDATE_INTERVAL)
    fields["weather_interval"] = (WEATHER_INTERVAL_FIELD, DEFAULT_WEATHER_INTERVAL)
    return fields


def option_keys() -> set[str]:
    """Return every key the setup step and the options forms store."""
    en = yaml.safe_load((INTEGRATION / "translations" / "en.json").read_text())
    keys = set(en["config"]["step"]["user"]["data"])
    for step_id, step in en["options"]["step"].items():
        if step_id in ("edit_dog", "remove_dog"):
            continue  # which dog to edit or remove: a choice, not an option
        keys |= set(step.get("data", {}))
        for part in step.get("sections", {}).values():
            keys |= set(part.get("data", {}))
    return keys


def option_gaps() -> list[str]:
    """Return what the README's configuration section misses of the options."""
    text = section(_readme(), "## Configuration")
    numbers = _numbers()
    gaps: list[str] = []
    keys = option_keys() | set(DEFAULT_RESILIENCE) | set(DEFAULT_CARE)
    for key in sorted(keys):
        if f"| `{key}` |" not in text:
            gaps.append(key)
            continue
        row = _row(text, key)
        if key in numbers:
            field, default = numbers[key]
            cells = [cell.strip() for cell in row.split("|")]
            wanted = (f"{field.minimum:g}", f"{field.maximum:g}", f"{default:g}")
            gaps += [f"{key}: {w}" for w in wanted if w not in " ".join(cells)]
    return gaps


async def test_readme_documents_every_action_field(
    hass: HomeAssistant, docs_entry: MockConfigEntry
) -> None:
    """Each action has its section with every field, its limits and its response."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    responses = {
        service: hass.services.supports_response(DOMAIN, service)
        is not SupportsResponse.NONE
        for service in services
    }
    assert action_gaps(responses) == []


def test_readme_documents_every_option() -> None:
    """Each field of the setup step and the options forms has a row with its range."""
    assert option_gaps() == []


# ---------------------------------------------------------------------------
# Links.


def _slug(heading: str) -> str:
    """Return GitHub's anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    """Return the anchors of a Markdown file's headings."""
    return {_slug(m[1]) for m in re.finditer(r"^#+ (.*)$", path.read_text(), re.M)}


def _repository_path(url: str) -> str | None:
    """Return the repository path a link to this repository names, if any."""
    parts = urlsplit(url)
    if parts.netloc == "my.home-assistant.io" and parts.path.startswith("/redirect/"):
        return _repository_path(parse_qs(parts.query)["blueprint_url"][0])
    prefix = f"{REPOSITORY}/"
    if not url.startswith(prefix):
        return None
    kind, _, rest = url.removeprefix(prefix).partition("/")
    if kind not in ("blob", "tree", "raw"):
        return None
    return unquote(rest.partition("/")[2])


def link_gaps() -> list[str]:
    """Return the links of the README and docs/ that do not resolve."""
    gaps: list[str] = []
    for page in [README, *sorted(DOCS.glob("*.md"))]:
        for target in LINK.findall(page.read_text()):
            where = f"{page.relative_to(ROOT)}: {target}"
            if target.startswith(("http://", "https://")):
                path = _repository_path(target)
                if path is not None and not (ROOT / path).exists():
                    gaps.append(where)
                continue
            file, _, anchor = target.partition("#")
            resolved = (page.parent / file).resolve() if file else page
            missing = not resolved.exists() or ROOT not in resolved.parents
            if missing or (anchor and anchor not in _anchors(resolved)):
                gaps.append(where)
    return gaps


def test_links_resolve() -> None:
    """Every link of the README and docs/ names a file (and heading) in the repository."""
    assert link_gaps() == []


# ---------------------------------------------------------------------------
# What the README says about removal.


async def test_removal_keeps_the_stored_files(
    hass: HomeAssistant,
    docs_entry: MockConfigEntry,
    device_api: DeviceApiServer,
    hass_storage: dict[str, Any],
) -> None:
    """Deleting the entry removes devices and entities; the stored files stay."""
    meal = meal_for(docs_entry.runtime_data.dogs["buddy"])
    await hass.services.async_call(
        DOMAIN, "log_feeding", {"dog": "buddy", "amount_g": 200}, blocking=True
    )
    assert await hass.config_entries.async_remove(docs_entry.entry_id)
    await hass.async_block_till_done()
    assert not dr.async_entries_for_config_entry(
        dr.async_get(hass), docs_entry.entry_id
    )
    assert not er.async_entries_for_config_entry(
        er.async_get(hass), docs_entry.entry_id
    )
    assert hass.states.get("sensor.buddy_meals_today") is None
    # Without a meal, the time of day decides, as the README says.
    feedings = hass_storage[CARE_STORE]["data"]["dogs"]["buddy"]["feedings"]
    assert [feeding["meal"] for feeding in feedings] == [meal]
    stored = {key for key in hass_storage if key.startswith(f"{DOMAIN}.")}
    assert stored >= {CARE_STORE, GPS_STORE, REMINDER_STORE}
    removal = section(_readme(), "## Removal")
    for key in stored | STORES:
        assert f"`{key}`" in removal, key
    # Added again with the same dog, PawControl finds the dog's meal again.
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={CONF_API_URL: device_api.url, CONF_API_TOKEN: TOKEN},
        options=docs_options(),
    )
    await setup_entry(hass, entry)
    assert hass.states.get("sensor.buddy_meals_today").state == "1"

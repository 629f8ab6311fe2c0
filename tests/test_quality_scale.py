"""Tests that quality_scale.yaml lists every rule and that its `done` rules hold."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
import json
from pathlib import Path
import re
import struct
from typing import Any

import pytest
import yaml

from custom_components.pawcontrol.const import (
    DEFAULT_UPDATE_INTERVAL,
    DEFAULT_WEATHER_INTERVAL,
)
from custom_components.pawcontrol.labels import (
    ENTITY_TRANSLATION_KEYS,
    REPAIR_TRANSLATION_KEYS,
)

from .test_docs import STORES, action_gaps, blocks, option_gaps

ROOT = Path(__file__).parents[1]
INTEGRATION = ROOT / "custom_components" / "pawcontrol"

# Home Assistant core script/hassfest/quality_scale.py, ALL_RULES, by tier.
TIERS: dict[str, tuple[str, ...]] = {
    "bronze": (
        "action-setup", "appropriate-polling", "brands", "common-modules",
        "config-flow", "config-flow-test-coverage", "dependency-transparency",
        "docs-actions", "docs-conditions", "docs-high-level-description",
        "docs-installation-instructions", "docs-removal-instructions",
        "docs-triggers", "entity-event-setup", "entity-unique-id", "has-entity-name",
        "runtime-data", "test-before-configure", "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
        "docs-installation-parameters", "entity-unavailable", "integration-owner",
        "log-when-unavailable", "parallel-updates", "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices", "diagnostics", "discovery", "discovery-update-info",
        "docs-data-update", "docs-examples", "docs-known-limitations",
        "docs-supported-devices", "docs-supported-functions", "docs-troubleshooting",
        "docs-use-cases", "dynamic-devices", "entity-category", "entity-device-class",
        "entity-disabled-by-default", "entity-translations", "exception-translations",
        "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}  # fmt: skip
STATUSES = {"done", "todo", "exempt"}
# The modules that register PawControl's actions.
SERVICE_MODULES = (
    "services.py",
    "care/services.py",
    "care/export.py",
    "care/task_services.py",
)
# HomeAssistantError subclasses that take a translation_key.
TRANSLATABLE = {
    "HomeAssistantError", "ServiceValidationError", "UpdateFailed", "IntegrationError",
    "ConfigEntryAuthFailed", "ConfigEntryError", "ConfigEntryNotReady", "PlatformNotReady",
}  # fmt: skip
# (module, function) that may raise untranslated: NotificationManager._async_deliver
# catches every exception of _async_call, so it never reaches a user.
INTERNAL_RAISES = {("notifications.py", "_async_call")}
# Abort reasons Home Assistant itself produces for this flow.
HA_ABORTS = {"reauth_successful", "reconfigure_successful"}
# Translation keys of sensors no device class fits: free text, counts and ratios.
NO_DEVICE_CLASS = {"activity", "open_circuits", "rejected_calls", "retries"}
NO_DEVICE_CLASS |= {
    "retry_success_rate",
    "cache_hit_rate",
    "walks_today",
    "meals_today",
}
# A walk in progress: no binary sensor device class means "out for a walk".
NO_DEVICE_CLASS |= {"walk_in_progress"}
# A reminder that is due is no problem, presence or other device class.
NO_DEVICE_CLASS |= {"needs_walk", "needs_feeding"}
BRAND_SIZES = {"icon.png": (256, 256), "icon@2x.png": (512, 512)}
LOGO_SHORT_SIDE = {"logo.png": (128, 256), "logo@2x.png": (256, 512)}

# (rule, file, regex that must match); files are in the integration, /x in the repo.
EVIDENCE: tuple[tuple[str, str, str], ...] = (
    ("common-modules", "coordinator.py", r"^class \w+\(DataUpdateCoordinator\["),
    ("common-modules", "entity.py", r"^class \w+\(CoordinatorEntity\["),
    ("config-entry-unloading", "__init__.py", r"def async_unload_entry\((?s:.)*?async_unload_platforms"),
    ("config-flow", "manifest.json", r'"config_flow": true'),
    ("config-flow", "config_flow.py", r"^class PawControlConfigFlow\(ConfigFlow, domain=DOMAIN\)"),
    ("dependency-transparency", "manifest.json", r'"requirements": \[\]'),
    ("devices", "entity.py", r"via_device_id=hub.id"),
    ("entity-unavailable", "const.py", r"^    CONF_MAX_STALE_MINUTES: 60,"),
    ("entity-unavailable", "sensor.py", r"not self\.within_stale_limit\(\)"),
    ("entity-unavailable", "device_tracker.py", r"limit = self\.coordinator\.max_stale"),
    ("diagnostics", "diagnostics.py", r"^async def async_get_config_entry_diagnostics\("),
    ("diagnostics", "diagnostics.py", r'^TO_REDACT = \{CONF_API_TOKEN, "latitude", "longitude"'),
    ("docs-examples", "/README.md", r"^## Examples\n(?s:.)*?\]\(docs/resilience-examples\.md\)(?s:.)*?\]\(https://my\.home-assistant\.io/redirect/blueprint_import/"),
    ("docs-examples", "/tests/test_docs.py", r"^async def test_every_example_works\("),
    ("docs-examples", "/tests/test_docs.py", r"^async def test_blueprint_runs_when_a_circuit_stays_open\("),
    ("docs-high-level-description", "/README.md", r"\A# PawControl\n\nPawControl is a Home Assistant custom integration for \w+"),
    ("docs-installation-instructions", "/README.md", r"^Requires Home Assistant \d{4}\.\d+ or newer"),
    ("docs-installation-instructions", "/README.md", r"^## Install\n(?s:.)*?^1\. (?s:.)*?Add integration"),
    ("entity-disabled-by-default", "sensor.py", r"entity_registry_enabled_default=False"),
    ("inject-websession", "__init__.py", r"PawControlApiClient\(\s*async_get_clientsession\(hass\)"),
    ("inject-websession", "config_flow.py", r"PawControlApiClient\(async_get_clientsession\(hass\)"),
    ("inject-websession", "api.py", r"^        session: ClientSession,"),
    ("integration-owner", "manifest.json", r'"codeowners": \["@[\w-]+"'),
    ("log-when-unavailable", "availability.py", r'self\._logger\.warning\("%s %s is unavailable'),
    ("log-when-unavailable", "availability.py", r'self\._logger\.info\("%s %s is available again"'),
    *(("log-when-unavailable", m, r"AvailabilityLog\(LOGGER, ") for m in ("coordinator.py", "gps_manager.py", "weather_manager.py", "notifications.py")),
    ("reauthentication-flow", "config_flow.py", r"async def async_step_reauth\("),
    ("reauthentication-flow", "coordinator.py", r"raise ConfigEntryAuthFailed\("),
    ("reconfiguration-flow", "config_flow.py", r"async def async_step_reconfigure\("),
    ("runtime-data", "__init__.py", r"entry\.runtime_data = PawControlRuntimeData\("),
    ("runtime-data", "data.py", r"^type PawControlConfigEntry = ConfigEntry\[PawControlRuntimeData\]"),
    ("stale-devices", "__init__.py", r"^async def async_remove_config_entry_device\("),
    ("stale-devices", "entity.py", r"if not device\.identifiers & wanted:\n(?:\s+#.*\n)*\s+registry\.async_remove_device\(device\.id\)"),
    ("strict-typing", "/pyproject.toml", r"^\[tool\.mypy\]\n(?:[^\[\n].*\n)*strict = true$"),
    ("strict-typing", "/scripts/test", r"^\.venv/bin/mypy --strict custom_components/pawcontrol$"),
    ("test-before-configure", "config_flow.py", r"await client\.async_check_health\(\)"),
    ("test-before-setup", "__init__.py", r"await coordinator\.async_config_entry_first_refresh\(\)"),
    ("test-coverage", "/scripts/test", r"--cov-fail-under=(?:9[5-9]|100)\b"),
    ("unique-config-entry", "config_flow.py", r'if self\._async_current_entries\(include_ignore=False\):\n\s+return self\._abort_second_entry\(\)'),
)  # fmt: skip
# Rule -> regex that no integration module may match.
FORBIDDEN: dict[str, str] = {
    "async-dependency": r"^\s*(?:import|from) (?:requests|urllib\.request|http\.client)\b|time\.sleep\(",
    "icon-translations": r"\bicon=|_attr_icon\b|def icon\(",
    "inject-websession": r"\bClientSession\(",
}  # fmt: skip


def _json(name: str) -> dict[str, Any]:
    """Return a JSON file of the integration."""
    data: dict[str, Any] = json.loads((INTEGRATION / name).read_text())
    return data


def _tree(module: str) -> ast.Module:
    """Return the AST of an integration module."""
    return ast.parse(MODULES[module])


MODULES = {
    p.relative_to(INTEGRATION).as_posix(): p.read_text()
    for p in sorted(INTEGRATION.rglob("*.py"))
}
NODES = [(m, n) for m, s in MODULES.items() for n in ast.walk(ast.parse(s))]
CLASSES = {n.name: n for _, n in NODES if isinstance(n, ast.ClassDef)}
CLASS_MODULE = {n.name: m for m, n in NODES if isinstance(n, ast.ClassDef)}
# Entity and description base classes -> the platform whose package defines them.
PLATFORM_BASES = {
    alias.name: n.module.split(".")[2]
    for _, n in NODES
    if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("homeassistant.components.")
    for alias in n.names
    if alias.name.endswith(("Entity", "EntityDescription"))
}  # fmt: skip
EN = _json("translations/en.json")
SERVICES = set(yaml.safe_load((INTEGRATION / "services.yaml").read_text()))


def _rules() -> dict[str, Any]:
    """Return the rules of quality_scale.yaml."""
    data = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())
    rules: dict[str, Any] = data["rules"]
    return rules


def _status(value: Any) -> str:
    """Return the status of a rule, given bare or as a mapping."""
    return str(value["status"] if isinstance(value, dict) else value)


def _name(node: ast.AST) -> str:
    """Return the last name of a Name, Attribute, Subscript or Call node."""
    while isinstance(node, ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _calls(node: ast.AST, func: str = "") -> Iterator[tuple[str, ast.Call]]:
    """Yield every call with the name of its innermost enclosing function."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call):
            yield func, child
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _calls(child, child.name)
        else:
            yield from _calls(child, func)


def _called(tree: ast.AST, func: str) -> set[str]:
    """Return the names called inside the functions of that name."""
    return {_name(call) for name, call in _calls(tree) if name == func}


def _function(module: str, name: str) -> ast.AST:
    """Return the first function of that name in a module."""
    funcs = ast.FunctionDef | ast.AsyncFunctionDef
    return next(
        n for n in ast.walk(_tree(module)) if isinstance(n, funcs) and n.name == name
    )


def _consts(module: str) -> dict[str, Any]:
    """Return the module-level constants of a module."""
    nodes = (n for n in _tree(module).body if isinstance(n, ast.Assign | ast.AnnAssign))
    return {
        _name(n.targets[0] if isinstance(n, ast.Assign) else n.target): n.value.value
        for n in nodes
        if isinstance(n.value, ast.Constant)
    }


def _platforms() -> list[str]:
    """Return the platform modules of PLATFORMS in __init__.py."""
    for node in _tree("__init__.py").body:
        if isinstance(node, ast.AnnAssign) and _name(node.target) == "PLATFORMS":
            assert isinstance(node.value, ast.List)
            return [f"{_name(e).lower()}.py" for e in node.value.elts]
    raise AssertionError("no PLATFORMS in __init__.py")


def _platform(name: str) -> str:
    """Return the platform of an entity or description class, or an empty string."""
    if name in PLATFORM_BASES:
        return PLATFORM_BASES[name]
    bases = CLASSES[name].bases if name in CLASSES else []
    return next((p for b in bases if (p := _platform(_name(b)))), "")


def _entity_classes() -> list[ast.ClassDef]:
    """Return the entity classes the integration instantiates (no base classes)."""
    bases = {_name(b) for c in CLASSES.values() for b in c.bases}
    return [
        c
        for c in CLASSES.values()
        if _platform(c.name)
        and c.name not in bases
        and not any(a.endswith("EntityDescription") for a in _ancestors(c))
    ]


def _descriptions() -> Iterator[tuple[str, dict[str, ast.expr]]]:
    """Yield the platform and keywords of every entity description created."""
    for module in MODULES:
        for _, call in _calls(_tree(module)):
            if _name(call).endswith("Description") and (p := _platform(_name(call))):
                yield p, {kw.arg: kw.value for kw in call.keywords if kw.arg}


def _translation_keys() -> set[tuple[str, str]]:
    """Return (platform, translation key) of every entity class and description."""
    keys = {(_platform(c.name), k) for c in _entity_classes() for k in _strings(c)}
    # Circuit sensors take their key from labels.py by the kind of circuit.
    keys |= {("binary_sensor", k) for k in ENTITY_TRANSLATION_KEYS.values()}
    for platform, kws in _descriptions():
        if isinstance(key := kws.get("translation_key"), ast.Constant):
            keys.add((platform, str(key.value)))
    return keys


def _local_bases(cls: ast.ClassDef) -> list[ast.ClassDef]:
    """Return the bases of a class that the integration defines."""
    return [CLASSES[_name(b)] for b in cls.bases if _name(b) in CLASSES]


def _sets(cls: ast.ClassDef, attr: str, value: str | None = None) -> bool:
    """Return whether a class or a local base assigns attr (to value, if given)."""
    assigned = [
        ast.unparse(n.value)
        for n in ast.walk(cls)
        if isinstance(n, ast.Assign) and attr in map(_name, n.targets)
    ]
    if assigned and (value is None or value in assigned):
        return True
    return any(_sets(base, attr, value) for base in _local_bases(cls))


def _ancestors(cls: ast.ClassDef) -> set[str]:
    """Return the names of all bases of a class, following local classes."""
    return {_name(b) for b in cls.bases}.union(*map(_ancestors, _local_bases(cls)))


def _strings(cls: ast.ClassDef, attr: str = "_attr_translation_key") -> set[str]:
    """Return the strings a class itself assigns to attr."""
    values = [
        n.value
        for n in ast.walk(cls)
        if isinstance(n, ast.Assign) and attr in map(_name, n.targets)
    ]
    return {v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)}  # fmt: skip


def _section(title: str) -> str:
    """Return a README section, from its `## ` heading to the next one."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def _png_size(path: Path) -> tuple[int, int]:
    """Return the width and height from a PNG's IHDR chunk."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    assert head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def check_action_setup() -> None:
    """Check the actions are registered in async_setup, never per entry."""
    init = _tree("__init__.py")
    assert "async_setup_services" in _called(init, "async_setup")
    assert not {"async_setup_services", "async_register"} & _called(init, "async_setup_entry")  # fmt: skip
    assert "async_setup_care_services" in _called(init, "async_setup")
    assert "async_setup_task_services" in _called(init, "async_setup")
    assert "async_setup_export_service" in _called(init, "async_setup")
    names: set[str] = set()
    for module in SERVICE_MODULES:
        registered = [
            c.args[1] for _, c in _calls(_tree(module)) if _name(c) == "async_register"
        ]
        names |= {_consts(module)[_name(n)] for n in registered}
    assert names == SERVICES


def check_action_exceptions() -> None:
    """Check actions raise only Home Assistant exceptions, validation errors among them."""
    tree = _tree("services.py")
    funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    allowed = {
        "ServiceValidationError",
        "HomeAssistantError",
        "Unauthorized",
        "UnknownUser",
    }
    allowed |= {f.name for f in funcs if f.returns and _name(f.returns) in allowed}
    raised = {
        _name(n.exc) for n in ast.walk(tree) if isinstance(n, ast.Raise) and n.exc
    }
    assert "ServiceValidationError" in raised
    assert raised <= allowed, raised - allowed


def check_appropriate_polling() -> None:
    """Check the coordinator polls every 60 s by default (15 s at most); entities never poll."""
    consts = _consts("const.py")
    assert consts["DEFAULT_UPDATE_INTERVAL"] >= 60
    assert consts["MIN_UPDATE_INTERVAL"] >= 15
    for cls in _entity_classes():
        coordinated = "CoordinatorEntity" in _ancestors(cls)
        assert coordinated or _sets(cls, "_attr_should_poll", "False"), cls.name


def check_brands() -> None:
    """Check the four brand images exist with the sizes the brands repository asks for."""
    for name, size in BRAND_SIZES.items():
        assert _png_size(INTEGRATION / "brand" / name) == size, name
    for name, (low, high) in LOGO_SHORT_SIDE.items():
        assert low <= min(_png_size(INTEGRATION / "brand" / name)) <= high, name


def check_config_flow() -> None:
    """Check every field of every flow form has a data_description."""
    for section in ("config", "options"):
        for step_id, step in EN[section]["step"].items():
            described = set(step.get("data_description", {}))
            assert set(step.get("data", {})) == described, step_id


def check_config_flow_test_coverage() -> None:
    """Check every error and abort reason of the flows is asserted in the flow tests."""
    flows = (
        "config_flow.py",
        "options_flow.py",
        "flow_validation.py",
        "flow_api_input.py",
    )
    literals = {
        n.value
        for module in flows
        for n in ast.walk(_tree(module))
        if isinstance(n, ast.Constant)
    }
    reasons = {*EN["config"]["error"], *EN["config"]["abort"], *EN["options"]["error"]}
    reasons |= set(EN["options"]["abort"])
    tests = "".join(
        (ROOT / "tests" / name).read_text()
        for name in (
            "test_config_flow.py",
            "test_config_flow_texts.py",
            "test_options_flow.py",
            "test_options_flow_texts.py",
            "test_flow_forms.py",
            "test_flow_api_errors.py",
        )
    )
    untested = {r for r in (reasons & literals) | HA_ABORTS if f'"{r}"' not in tests}
    assert not untested


def check_entity_category() -> None:
    """Check the statistics sensor is a diagnostic entity."""
    statistics = CLASSES["PawControlStatisticsSensor"]
    assert _sets(statistics, "_attr_entity_category", "EntityCategory.DIAGNOSTIC")


def check_entity_device_class() -> None:
    """Check every sensor and binary sensor has a device class unless none fits."""
    measured = {"sensor", "binary_sensor"}
    for platform, kws in _descriptions():
        if platform in measured and "device_class" not in kws:
            key = kws.get("translation_key")
            assert key is not None, kws
            assert ast.literal_eval(key) in NO_DEVICE_CLASS, ast.literal_eval(key)
    for cls in _entity_classes():
        if _platform(cls.name) in measured and (keys := _strings(cls)):
            assert _sets(cls, "_attr_device_class") or keys <= NO_DEVICE_CLASS, cls.name


def check_entity_event_setup() -> None:
    """Check entities subscribe in async_added_to_hass and undo it via async_on_remove."""
    modules = {CLASS_MODULE[c.name] for c in _entity_classes()} | {"entity.py"}
    for module in sorted(modules):
        calls = list(_calls(_tree(module)))
        wrapped = {
            id(a) for _, c in calls if _name(c) == "async_on_remove" for a in c.args
        }
        for func, call in calls:
            if _name(call) in {"async_add_listener", "async_track_state_change_event"}:
                assert func == "async_added_to_hass", (module, call.lineno)
                assert id(call) in wrapped, (module, call.lineno)


def check_entity_translations() -> None:
    """Check every translation_key has an English name and no entity has a literal name."""
    for platform, key in _translation_keys():
        assert EN["entity"][platform][key]["name"], (platform, key)
    for cls in CLASSES.values():
        assert not (_platform(cls.name) and _strings(cls, "_attr_name")), cls.name
    for _, kws in _descriptions():
        assert ast.unparse(kws.get("name", ast.Constant(None))) == "None", kws["name"]


def check_exception_translations() -> None:
    """Check every exception users can see names a translation_key of en.json."""
    internal = set()
    for module in MODULES:
        for func, call in _calls(_tree(module)):
            if _name(call) not in TRANSLATABLE:
                continue
            if (module, func) in INTERNAL_RAISES:
                internal.add((module, func))
                continue
            keys = {kw.arg: kw.value for kw in call.keywords}
            assert "translation_key" in keys, f"{module}:{call.lineno}"
            if isinstance(key := keys["translation_key"], ast.Constant):
                assert key.value in EN["exceptions"], key.value
    assert internal == INTERNAL_RAISES
    deliver = ast.unparse(_function("notifications.py", "_async_deliver"))
    assert "self._async_call" in deliver
    assert "except Exception" in deliver


def check_icon_translations() -> None:
    """Check icons.json covers every action and only used entity translation keys."""
    icons = _json("icons.json")
    assert set(icons["services"]) == SERVICES
    used = _translation_keys()
    for platform, keys in icons["entity"].items():
        assert {(platform, key) for key in keys} <= used, platform


def check_parallel_updates() -> None:
    """Check every platform module sets PARALLEL_UPDATES."""
    for module in _platforms():
        assert "PARALLEL_UPDATES" in _consts(module), module


def check_repair_issues() -> None:
    """Check every repair issue is translated, and not fixable without a repairs flow."""
    calls = [
        c
        for m in MODULES
        for _, c in _calls(_tree(m))
        if _name(c) == "async_create_issue"
    ]
    assert calls
    for call in calls:
        keys = {kw.arg: ast.unparse(kw.value) for kw in call.keywords}
        if keys["translation_key"] == "label.repair_key":
            translation_keys = list(REPAIR_TRANSLATION_KEYS.values())
        else:
            translation_keys = [ast.literal_eval(keys["translation_key"])]
        for key in translation_keys:
            assert EN["issues"][key]["title"]
            assert EN["issues"][key]["description"]
        assert keys["is_fixable"] == "False" or "repairs.py" in MODULES


def check_every_entity(attr: str, value: str | None = None) -> Callable[[], None]:
    """Return a check that every entity class sets attr, itself or through a base."""

    def check() -> None:
        """Check every entity class."""
        assert _entity_classes()
        assert not [c.name for c in _entity_classes() if not _sets(c, attr, value)]

    return check


def check_docs_installation_parameters() -> None:
    """Check every field of the setup step names a row of the README configuration table."""
    fields = [
        r.split("|")[1] for r in _section("Configuration").splitlines() if r[:1] == "|"
    ]
    rows = [set(re.findall(r"\w+", field.lower())) for field in fields]
    for label in EN["config"]["step"]["user"]["data"].values():
        assert any(set(re.findall(r"\w+", label.lower())) <= row for row in rows), label


def check_docs_supported_functions() -> None:
    """Check the README lists each platform's entities, every action and the event."""
    section = _section("Entities, actions and events")
    for module in _platforms():
        assert f"`{module.removesuffix('.py')}." in section, module
    for service in SERVICES:
        assert f"`pawcontrol.{service}`" in section, service
    assert "`pawcontrol_circuit_state_changed`" in section


def _responses() -> dict[str, bool]:
    """Return whether each action answers, from its async_register call."""
    answers: dict[str, bool] = {}
    for module in SERVICE_MODULES:
        for _, call in _calls(_tree(module)):
            if _name(call) == "async_register":
                kws = {kw.arg: ast.unparse(kw.value) for kw in call.keywords}
                support = kws.get("supports_response", "SupportsResponse.NONE")
                answers[_consts(module)[_name(call.args[1])]] = support != "SupportsResponse.NONE"  # fmt: skip
    return answers


def check_docs_actions() -> None:
    """Check the README documents every action's fields, limits and response."""
    assert _responses().keys() == SERVICES
    assert not action_gaps(_responses())


def check_docs_configuration_parameters() -> None:
    """Check the README documents every option with its range."""
    assert not option_gaps()


def check_docs_data_update() -> None:
    """Check the README says how often each source is read, with the defaults."""
    section = _section("How data is updated")
    assert re.search(
        rf"`update_interval`, default\s+{DEFAULT_UPDATE_INTERVAL} s", section
    )
    assert re.search(
        rf"`weather_interval` \(default\s+{DEFAULT_WEATHER_INTERVAL} min", section
    )


def check_docs_examples() -> None:
    """Check the examples file has at least ten examples."""
    examples = ROOT / "docs" / "resilience-examples.md"
    assert len(re.findall(r"^## \d+\. ", examples.read_text(), re.M)) >= 10
    assert len(blocks(examples)) >= 10


def check_docs_known_limitations() -> None:
    """Check the README states its limitations, one bullet each."""
    assert len(re.findall(r"^- ", _section("Known limitations"), re.M)) >= 10


def check_docs_removal_instructions() -> None:
    """Check the README says how to delete PawControl and names every stored file."""
    section = _section("Removal")
    assert "*Delete*" in section
    assert all(f"`{store}`" in section for store in STORES)


def check_docs_supported_devices() -> None:
    """Check the README names the GPS sources and the device API contract."""
    section = _section("Supported sources")
    for name in ("`device_tracker`", "`person`", "(docs/device-api.md)"):
        assert name in section, name


def check_docs_troubleshooting() -> None:
    """Check the README explains logs, diagnostics and every setup flow message."""
    section = _section("Troubleshooting")
    assert "custom_components.pawcontrol: debug" in section
    assert "*Download diagnostics*" in section
    for key in {*EN["config"]["error"], *EN["config"]["abort"]}:
        assert f"`{key}`" in section, key


def check_docs_use_cases() -> None:
    """Check the README tells the four stories."""
    section = _section("Use cases")
    assert len(re.findall(r"^\*\*The .+?\.\*\*", section, re.M)) == 4


CHECKS: dict[str, Callable[[], None]] = {
    "action-exceptions": check_action_exceptions,
    "action-setup": check_action_setup,
    "appropriate-polling": check_appropriate_polling,
    "brands": check_brands,
    "config-flow": check_config_flow,
    "config-flow-test-coverage": check_config_flow_test_coverage,
    "devices": check_every_entity("_attr_device_info"),
    "docs-actions": check_docs_actions,
    "docs-configuration-parameters": check_docs_configuration_parameters,
    "docs-data-update": check_docs_data_update,
    "docs-examples": check_docs_examples,
    "docs-installation-parameters": check_docs_installation_parameters,
    "docs-known-limitations": check_docs_known_limitations,
    "docs-removal-instructions": check_docs_removal_instructions,
    "docs-supported-devices": check_docs_supported_devices,
    "docs-supported-functions": check_docs_supported_functions,
    "docs-troubleshooting": check_docs_troubleshooting,
    "docs-use-cases": check_docs_use_cases,
    "entity-category": check_entity_category,
    "entity-device-class": check_entity_device_class,
    "entity-event-setup": check_entity_event_setup,
    "entity-translations": check_entity_translations,
    "entity-unique-id": check_every_entity("_attr_unique_id"),
    "exception-translations": check_exception_translations,
    "has-entity-name": check_every_entity("_attr_has_entity_name", "True"),
    "icon-translations": check_icon_translations,
    "parallel-updates": check_parallel_updates,
    "repair-issues": check_repair_issues,
}
CHECKED = sorted(CHECKS.keys() | FORBIDDEN.keys() | {rule for rule, *_ in EVIDENCE})


def test_every_rule_is_listed() -> None:
    """Check quality_scale.yaml lists every rule of every tier and nothing else."""
    known = {rule for rules in TIERS.values() for rule in rules}
    listed = set(_rules())
    assert not known - listed, f"missing: {sorted(known - listed)}"
    assert not listed - known, f"unknown: {sorted(listed - known)}"


def test_every_rule_has_status_and_comment() -> None:
    """Check every rule is a mapping with a valid status and a non-empty comment."""
    for rule, value in _rules().items():
        assert isinstance(value, dict), rule
        assert value.get("status") in STATUSES, rule
        assert isinstance(value.get("comment"), str), rule
        assert value["comment"].strip(), rule


@pytest.mark.parametrize("rule", CHECKED)
def test_done_rule_has_its_evidence(rule: str) -> None:
    """Check a rule marked done still has the evidence it was marked done for."""
    if _status(_rules()[rule]) != "done":
        pytest.skip(f"{rule} is not done")
    for _, name, pattern in (e for e in EVIDENCE if e[0] == rule):
        path = ROOT / name[1:] if name.startswith("/") else INTEGRATION / name
        assert re.search(pattern, path.read_text(), re.M), (name, pattern)
    if forbidden := FORBIDDEN.get(rule):
        assert not [
            m for m, text in MODULES.items() if re.search(forbidden, text, re.M)
        ]
    if check := CHECKS.get(rule):
        check()


def _reached() -> int:
    """Return the index of the highest tier met along with every tier below it."""
    rules, reached = _rules(), -1
    for index, names in enumerate(TIERS.values()):
        if any(_status(rules[name]) not in {"done", "exempt"} for name in names):
            break
        reached = index
    return reached


def test_manifest_quality_scale_is_reached() -> None:
    """Check the manifest's quality_scale, if set, is not above the tier reached."""
    scale = _json("manifest.json").get("quality_scale")
    if scale in TIERS:
        assert list(TIERS).index(scale) <= _reached(), scale

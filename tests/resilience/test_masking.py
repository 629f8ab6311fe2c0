"""Tests for credential masking in error text."""

from __future__ import annotations

import string

from hypothesis import assume, given, strategies as st
import pytest

from custom_components.pawcontrol.resilience.masking import (
    MASK,
    UNPRINTABLE,
    format_error,
    mask_secrets,
    safe_str,
)

AIOHTTP_MESSAGE = (
    "500, message='Internal Server Error', "
    "url='http://host:8080/api/v1/dogs/buddy/status?token=abc&x=1'"
)

CASES: list[tuple[str, str]] = [
    # Every sensitive key word.
    ("token=abc123", "token=***"),
    ("auth_token=abc", "auth_token=***"),
    ("client_secret=s3cr3t", "client_secret=***"),
    ("password=hunter2", "password=***"),
    ("passwd: hunter2", "passwd: ***"),
    ("api_key=abc", "api_key=***"),
    ("api-key=abc", "api-key=***"),
    ("apikey=abc", "apikey=***"),
    ("X-Api-Key: abc", "X-Api-Key: ***"),
    ("x-auth: abc", "x-auth: ***"),
    ("oauth_token=abc", "oauth_token=***"),
    ("sessionid=abc", "sessionid=***"),
    ("session_token: abc", "session_token: ***"),
    ("signature=abc", "signature=***"),
    ("key=abc", "key=***"),
    ("Key: abc", "Key: ***"),
    ("private_key=abc", "private_key=***"),
    ("accessKey=abc", "accessKey=***"),
    ("API key: abc", "API key: ***"),
    ("client.secret=abc", "client.secret=***"),
    # Every form.
    ("token:abc", "token:***"),
    ("token = abc", "token = ***"),
    ('{"token": "abc", "dog": "buddy"}', '{"token": "***", "dog": "buddy"}'),
    ('{"token":"abc"}', '{"token":"***"}'),
    ("{'password': 'hunter2', 'x': 1}", "{'password': '***', 'x': 1}"),
    ('{"api_key": 12345}', '{"api_key": ***}'),
    ('"password": "a b c"', '"password": "***"'),
    ('password="a b c" rejected', 'password="***" rejected'),
    ("{'password': 'it\\'s'}", "{'password': '***'}"),
    ('{\\"token\\": \\"abc\\"}', '{\\"token\\": \\"***\\"}'),
    ('password="abc def', 'password="***'),
    ('"tokens": ["a", "b"]', '"tokens": [***]'),
    ("user=bob&password=hunter2&remember=1", "user=bob&password=***&remember=1"),
    ("(token=abc)", "(token=***)"),
    ("[token=abc]", "[token=***]"),
    ("{token=abc}", "{token=***}"),
    ("token=abc;next", "token=***;next"),
    ("token=abc,next", "token=***,next"),
    ("token=abc\nnext", "token=***\nnext"),
    ("password: hunter2 was rejected", "password: *** was rejected"),
    ("Set-Cookie: sid=abc; Path=/", "Set-Cookie: ***; Path=/"),
    # Authorization headers and bare bearer tokens.
    ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
    ("Authorization: Basic QWxhZGRpbjpvcGVu==", "Authorization: Basic ***"),
    ("authorization:Bearer abc", "authorization:Bearer ***"),
    ('Authorization: Digest username="bob", nonce="n"', "Authorization: Digest ***"),
    ("{'Authorization': 'Bearer abc'}", "{'Authorization': '***'}"),
    ("token: Bearer abc", "token: ***"),
    (
        "request failed: Bearer abc.def.ghi rejected",
        "request failed: Bearer *** rejected",
    ),
    ("bearer abc", "bearer ***"),
    # URLs: every query value, fragment values and userinfo.
    ("http://host/api?a=1&b=2", "http://host/api?a=***&b=***"),
    (
        "GET http://host/dogs?dog_id=buddy failed",
        "GET http://host/dogs?dog_id=*** failed",
    ),
    ("https://user:pass@host:8443/x", "https://***@host:8443/x"),
    ("ws://bob@host/", "ws://***@host/"),
    ("https://u:p@ss@host/x?y=1", "https://***@host/x?y=***"),
    ("http://h/cb#access_token=abc&state=1", "http://h/cb#access_token=***&state=***"),
    ("(see http://h/?a=1).", "(see http://h/?a=***)."),
    ("url=http://h/p?token=abc, status=500", "url=http://h/p?token=***, status=500"),
    ("http://[::1]:8123/api?token=a", "http://[::1]:8123/api?token=***"),
    (AIOHTTP_MESSAGE, AIOHTTP_MESSAGE.replace("token=abc&x=1", "token=***&x=***")),
    # Left alone.
    ("", ""),
    ("monkey=banana", "monkey=banana"),
    ("keyboard: qwerty", "keyboard: qwerty"),
    ("keys_count=5", "keys_count=5"),
    ("dog_id=buddy", "dog_id=buddy"),
    ("HTTP 503, retry after 30s", "HTTP 503, retry after 30s"),
    (
        "Cannot reach the device API: ClientConnectorError",
        "Cannot reach the device API: ClientConnectorError",
    ),
    (
        "Cannot connect to host auth.example.com:443 ssl:default",
        "Cannot connect to host auth.example.com:443 ssl:default",
    ),
    ("KeyError: 'dog_id'", "KeyError: 'dog_id'"),
    (
        "PawControlApiAuthError: Invalid API token",
        "PawControlApiAuthError: Invalid API token",
    ),
    ("ConfigEntryAuthFailed: reauth needed", "ConfigEntryAuthFailed: reauth needed"),
    ("password=", "password="),
    ('"password": ""', '"password": ""'),
    ("http://host/api/v1/dogs/buddy", "http://host/api/v1/dogs/buddy"),
    ("token expired", "token expired"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_mask_secrets(text: str, expected: str) -> None:
    """Mask exactly the credentials in each sample."""
    assert mask_secrets(text) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_mask_secrets_is_idempotent(text: str, expected: str) -> None:
    """Leave masked text unchanged."""
    assert mask_secrets(expected) == expected
    assert mask_secrets(mask_secrets(text)) == mask_secrets(text)


def test_mask_secrets_nested_url_and_bracket_is_idempotent() -> None:
    """Reach a fixed point when masking a bracket joins two URL parts."""
    masked = mask_secrets("://x/token:[a b]c?d=e")
    assert masked == "://x/token:[***]c?d=***"
    assert mask_secrets(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "a." * 50_000,
        "token:" * 16_000,
        "://" * 33_000,
        "://" + "a" * 100_000,
        '"' * 100_000,
        "\\" * 100_000,
        "Bearer " * 14_000,
        "A" * 100_000 + "=x",
        "token=" + "[" * 100_000,
        "k" + " " * 100_000 + ":",
        "Error" * 20_000 + ":x",
        "http://x/?" + "a=b&" * 25_000,
        "{'token': '" * 9_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_mask_secrets_adversarial_input(text: str) -> None:
    """Handle long adversarial strings (every regex is linear)."""
    masked = mask_secrets(text)
    assert mask_secrets(masked) == masked


class BrokenStrError(Exception):
    """An exception whose ``__str__`` raises."""

    def __str__(self) -> str:
        """Raise instead of describing the error."""
        raise RuntimeError("no text")


class TextSubclass(str):
    """A ``str`` subclass whose slicing raises."""

    __slots__ = ()

    def __getitem__(self, key: object) -> str:
        """Refuse to slice."""
        raise RuntimeError("no slicing")


class SubclassStrError(Exception):
    """An exception whose ``__str__`` returns a ``str`` subclass."""

    def __str__(self) -> str:
        """Return a hostile ``str`` subclass."""
        return TextSubclass("token=abc")


def test_safe_str() -> None:
    """Return the message, or the type name when ``__str__`` raises."""
    assert safe_str(ValueError("boom")) == "boom"
    assert safe_str(ValueError()) == ""
    assert safe_str(BrokenStrError()) == "BrokenStrError"
    text = safe_str(SubclassStrError())
    assert type(text) is str
    assert text == "token=abc"


def test_format_error() -> None:
    """Format as ``Type: message`` with the message masked."""
    assert format_error(ValueError("token=abc")) == "ValueError: token=***"
    assert format_error(ValueError()) == "ValueError"
    assert format_error(BrokenStrError()) == "BrokenStrError"
    assert format_error(SubclassStrError()) == "SubclassStrError: token=***"
    assert format_error(KeyError("dog_id")) == "KeyError: 'dog_id'"


def test_format_error_masks_before_truncating() -> None:
    """Never show part of a secret that the length limit cuts."""
    err = ValueError("a" * 170 + " http://bob:hunter2hunter2@host/x?token=abcdefgh")
    text = format_error(err)
    assert len(text) <= 200
    assert "hunter2" not in text
    assert "bob" not in text
    assert "abcdefgh" not in text

    err = ValueError("a" * 180 + " token=abcdefghijklmnop")
    text = format_error(err)
    assert text == ("ValueError: " + "a" * 180 + " token=***")[:200]

    assert len(format_error(ValueError("x" * 1000), max_length=20)) == 20
    assert format_error(ValueError("token=abc"), max_length=0) == ""


def test_format_error_output_is_stable_when_masked_again() -> None:
    """Leave a stored ``last_error`` unchanged when it is masked again."""
    for err in (
        ValueError("password: hunter2"),
        KeyError("token"),
        RuntimeError(AIOHTTP_MESSAGE),
        ValueError("x" * 190 + ' "password": "hunter2 and more"'),
    ):
        text = format_error(err)
        assert mask_secrets(text)[:200] == text


SECRETS = st.text(string.ascii_letters + string.digits, min_size=8, max_size=40)
NOISE = st.lists(
    st.sampled_from(
        [
            *string.ascii_letters[:6],
            *string.digits[:3],
            *" \t\n:=&?#@/\\\"'[]{}()-_.,;*",
            *("token", "password", "Authorization", "Bearer ", "://", "http://"),
            *("key", "Error", "Digest ", '\\"'),
        ]
    ),
    max_size=40,
).map("".join)


@given(prefix=st.text() | NOISE, secret=SECRETS, suffix=st.text() | NOISE)
def test_token_value_never_survives(prefix: str, secret: str, suffix: str) -> None:
    """Hide a ``token=`` value whatever text surrounds it."""
    assume(secret not in prefix and secret not in suffix)
    masked = mask_secrets(f"{prefix}token={secret}{suffix}")
    assert secret not in masked


@given(text=st.text() | NOISE)
def test_mask_secrets_total_and_idempotent(text: str) -> None:
    """Return a string for any input, and the same string when applied again."""
    masked = mask_secrets(text)
    assert isinstance(masked, str)
    assert mask_secrets(masked) == masked
    assert MASK in masked or masked == text


class NamelessMeta(type):
    """A metaclass whose classes refuse to give their name."""

    @property
    def __name__(cls) -> str:  # type: ignore[override]
        """Raise instead of naming the class."""
        raise RuntimeError("no name")


class NamelessError(Exception, metaclass=NamelessMeta):
    """An exception whose class name cannot be read."""

    def __str__(self) -> str:
        """Raise instead of describing the error."""
        raise RuntimeError("no text")


def test_format_error_without_name_or_text() -> None:
    """Fall back to a placeholder when neither name nor message can be read."""
    assert safe_str(NamelessError()) == UNPRINTABLE
    assert format_error(NamelessError()) == UNPRINTABLE

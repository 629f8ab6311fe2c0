"""Mask credentials in error text before it is stored, logged or shown.

Error text from the device API ends up in places that users, other
integrations and support bundles can read: a breaker's ``last_error`` goes to
entity attributes (kept in the recorder history), statistics, a service
response that needs no admin rights, diagnostics, repair issues, warnings,
a ``.storage`` file, and retry log lines. aiohttp puts the full request URL
into ``ClientResponseError`` messages, and libraries like to quote headers or
payloads, so this module replaces credentials with ``***`` first.

What is masked, case-insensitively:

* The value of every *sensitive key*. A key is a run of letters, digits,
  ``_`` and ``-`` (a dot ends a key, so ``client.secret`` is the key
  ``secret`` and ``auth.example.com:443`` is the key ``com``). It is
  sensitive when it contains ``token``, ``secret``, ``password``, ``passwd``,
  ``passphrase``, ``api_key``, ``api-key``, ``apikey``, ``auth`` (also
  ``authorization``, ``x-auth``, ``oauth``, ``author``), ``session``,
  ``signature``, ``credential`` or ``cookie`` anywhere, or the word ``key`` on
  its own. Words are split at anything that is not an ASCII letter or digit
  (``_`` and ``-`` included), at camelCase humps and between letters and
  digits: ``key``, ``Key``, ``private_key``, ``x-api-key``, ``accessKey``,
  ``KeyId``, ``key_id`` and ``key2`` are sensitive; ``monkey``, ``keyboard``,
  ``keys_count`` and ``keyid`` are not. Keys that look like exception class
  names, ending in ``Error``, ``Exception``, ``Failed``, ``Failure``,
  ``Warning`` or ``unauthorized`` (``KeyError``, ``PawControlApiAuthError``,
  ``ConfigEntryAuthFailed``, ``HTTPUnauthorized``), are not sensitive, so
  that ``"Type: message"`` keeps its message. A key that ends in a sensitive
  word never looks like one.
* In the forms ``k=v``, ``k = v``, ``k: v``, ``k:v``, ``"k": "v"``,
  ``'k': 'v'``, ``"k": 12345``, and JSON whose quotes are escaped with a
  backslash because it sits inside another string. An unquoted value ends at whitespace, ``&``, ``,``,
  ``;``, a quote, ``)``, ``]`` or ``}``; a quoted value is masked whole, even
  with spaces in it (``"***"``), and so is a ``[...]`` or ``{...}`` value. An
  unterminated quote or bracket masks to the end of the line.
* ``Authorization: Bearer abc`` keeps the scheme word (``Bearer``, ``Basic``,
  ``Token``, ``Negotiate``, ``NTLM``, ``DPoP``) when the key contains
  ``auth``: ``Authorization: Bearer ***``. ``Digest`` is followed by
  parameters with quotes and commas, so the rest of its line is masked. A
  bare ``Bearer <token>`` is masked anywhere.
* Every query and fragment value of a URL (text after ``://``), whatever its
  key: ``?a=1&b=2`` becomes ``?a=***&b=***``. ``)``, ``]``, ``}``, ``>``,
  ``.``, ``,`` and a backslash at the end of a value stay visible because they
  usually close the surrounding text. URL userinfo becomes ``***``:
  ``scheme://user:pass@host`` is ``scheme://***@host``.

Not masked: a value separated from its key by whitespace only
(``token abc``), query strings of URLs without ``://``, and ``Basic <x>``
without a key in front.

Masking is idempotent (the passes repeat until nothing changes) and every
regular expression is linear in the length of the text.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MASK", "UNPRINTABLE", "format_error", "mask_secrets", "safe_str"]

MASK: Final = "***"
"""What a masked value is replaced with."""

UNPRINTABLE: Final = "<unprintable error>"
"""The name shown for an exception whose class name cannot be read."""

_MAX_PASSES: Final = 4
"""Upper bound on repeated passes; two are enough for all but contrived text."""

_SENSITIVE_PARTS: Final = (
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "api_key",
    "api-key",
    "apikey",
    "auth",
    "session",
    "signature",
    "credential",
    "cookie",
)

# ``[A-Z]+(?![a-z])`` takes an acronym but leaves the capital that starts the
# next camelCase word: "APIKey" -> "API", "Key".
_WORD_RE: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# "Type: message" must not mask the message because the type name mentions auth.
_TYPE_NAME_RE: Final = re.compile(
    r"(?:[A-Z]\w*)?(?:Error|Exception|Failed|Failure|Warning)|\w*[Uu]nauthori[sz]ed"
)

# A key starts where no key character precedes it, so each run of key
# characters is tried once: linear time.
_KEY_RE: Final = re.compile(r"(?<![\w-])(?P<key>[\w-]+)(?:\\?[\"'])?[ \t]*[:=][ \t]*")

_PLAIN: Final = r"[^\s&,;'\")\]}]+"

_VALUE_RE: Final = re.compile(
    r"""
    (?P<dq>(?P<dq_open>")(?P<dq_in>(?:[^"\\\r\n]|\\.)*)(?P<dq_close>")?)
    | (?P<sq>(?P<sq_open>')(?P<sq_in>(?:[^'\\\r\n]|\\.)*)(?P<sq_close>')?)
    | (?P<edq>(?P<edq_open>\\")(?P<edq_in>(?:[^\\\r\n]|\\[^"\r\n])*)(?P<edq_close>\\")?)
    | (?P<esq>(?P<esq_open>\\')(?P<esq_in>(?:[^\\\r\n]|\\[^'\r\n])*)(?P<esq_close>\\')?)
    | (?P<br>(?P<br_open>\[)(?P<br_in>[^\]\r\n]*)(?P<br_close>\])?)
    | (?P<cb>(?P<cb_open>\{)(?P<cb_in>[^}\r\n]*)(?P<cb_close>\})?)
    | (?P<params_scheme>digest[ \t]+)(?P<params>[^\r\n]+)
    | (?P<scheme>(?:bearer|basic|token|negotiate|ntlm|dpop)[ \t]+)?
      (?P<plain>"""
    + _PLAIN
    + r""")
    """,
    re.IGNORECASE | re.VERBOSE,
)

_ENCLOSED_KINDS: Final = ("dq", "sq", "edq", "esq", "br", "cb")

_BEARER_RE: Final = re.compile(
    r"(?<![\w-])(?P<scheme>bearer[ \t]+)(?P<cred>" + _PLAIN + ")", re.IGNORECASE
)

# Everything after "://" up to whitespace or a quote is treated as a URL.
_URL_RE: Final = re.compile(r"://[^\s'\"]*")
_QUERY_START_RE: Final = re.compile(r"[?#]")
_QUERY_VALUE_RE: Final = re.compile(r"=([^&;#]*)")
_URL_TRAILER: Final = ")]}>.,\\"


def _is_sensitive_key(key: str) -> bool:
    """Return whether the value of this key is a credential."""
    lowered = key.lower()
    if any(part in lowered for part in _SENSITIVE_PARTS):
        sensitive = True
    elif "key" in lowered:
        sensitive = any(word.lower() == "key" for word in _WORD_RE.findall(key))
    else:
        return False
    return sensitive and _TYPE_NAME_RE.fullmatch(key) is None


def _masked_value(value: re.Match[str], key: str) -> str | None:
    """Return the masked form of a matched value, or None to leave it as is."""
    for kind in _ENCLOSED_KINDS:
        if value.group(kind) is not None:
            if not value.group(f"{kind}_in"):
                return None
            closing = value.group(f"{kind}_close") or ""
            return f"{value.group(f'{kind}_open')}{MASK}{closing}"
    scheme = value.group("params_scheme") or value.group("scheme")
    if scheme is not None and "auth" in key.lower():
        return f"{scheme}{MASK}"
    return MASK


def _mask_pairs(text: str) -> str:
    """Mask the values of sensitive keys."""
    parts: list[str] = []
    done = 0
    for found in _KEY_RE.finditer(text):
        if found.start() < done or not _is_sensitive_key(found.group("key")):
            continue
        value = _VALUE_RE.match(text, found.end())
        if value is None:
            continue
        masked = _masked_value(value, found.group("key"))
        if masked is None:
            continue
        parts.append(text[done : found.end()])
        parts.append(masked)
        done = value.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _mask_query_value(found: re.Match[str]) -> str:
    """Mask one ``=value`` of a query string, keeping closing punctuation."""
    value = found.group(1)
    core = value.rstrip(_URL_TRAILER)
    if not core:
        return found.group()
    return f"={MASK}{value[len(core) :]}"


def _mask_url(found: re.Match[str]) -> str:
    """Mask the userinfo and every query value of one URL."""
    body = found.group()[3:]
    slash = body.find("/")
    authority = body if slash < 0 else body[:slash]
    at = authority.rfind("@")
    if at > 0:
        body = MASK + body[at:]
    query = _QUERY_START_RE.search(body)
    if query is not None:
        start = query.start()
        body = body[:start] + _QUERY_VALUE_RE.sub(_mask_query_value, body[start:])
    return "://" + body


def _mask_once(text: str) -> str:
    """Run every masking pass once."""
    text = _URL_RE.sub(_mask_url, text)
    text = _mask_pairs(text)
    return _BEARER_RE.sub(lambda found: f"{found.group('scheme')}{MASK}", text)


def mask_secrets(text: str) -> str:
    """Return the text with credentials replaced by ``***``."""
    if type(text) is not str:
        text = str.__str__(text)  # a subclass could override slicing
    for _ in range(_MAX_PASSES):
        masked = _mask_once(text)
        if masked == text:
            break
        text = masked
    return text


def _str_or_none(err: BaseException) -> str | None:
    """Return ``str(err)`` as a plain ``str``, or None when that raises."""
    try:
        text = str(err)
        return text if type(text) is str else str.__str__(text)
    except Exception:  # any failure of a foreign __str__
        return None


def _type_name(err: BaseException) -> str:
    """Return the exception's class name without trusting its metaclass."""
    try:
        name = type(err).__name__
    except Exception:  # a metaclass may override __name__
        return UNPRINTABLE
    return name if type(name) is str else UNPRINTABLE


def safe_str(err: BaseException) -> str:
    """Return ``str(err)``, or the type name when that raises."""
    text = _str_or_none(err)
    return _type_name(err) if text is None else text


def format_error(err: BaseException, max_length: int = 200) -> str:
    """Return ``"Type: message"`` with credentials masked, cut to ``max_length``."""
    name = _type_name(err)
    # An unprintable error is shown as its type name alone.
    message = _str_or_none(err)
    text = f"{name}: {message}" if message else name
    # Mask the whole line, then cut: a cut secret is never partly shown, and
    # masking the stored line again (as the store loader does) changes nothing.
    return mask_secrets(text)[: max(max_length, 0)]

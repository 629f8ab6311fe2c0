"""Home Assistant's websocket API with the standard library only.

scripts/develop_bootstrap.py runs before any extra package is installed, yet
some settings exist only as websocket commands: the `http:` trial of newer
Home Assistant releases among them. This is the small part of RFC 6455 a client
needs: one text message per command, pings answered, no extensions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import socket
import struct
from typing import Any, Final, Self
import urllib.parse

# RFC 6455, section 1.3: the server proves the handshake with this suffix.
HANDSHAKE_GUID: Final = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x8, 0x9, 0xA
# Home Assistant's answers here are a few kilobytes; anything far larger is wrong.
MAX_MESSAGE: Final = 16 * 1024 * 1024


class WebSocketError(Exception):
    """The connection or a command failed; the message says how."""


class CommandError(WebSocketError):
    """Home Assistant answered a command with an error."""

    def __init__(self, command: str, code: str, message: str) -> None:
        """Keep the error's code: `unknown_command` on a release without it."""
        super().__init__(f"{command} failed: {code}: {message}")
        self.code = code


class HassWebSocket:
    """One authenticated websocket connection to Home Assistant."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 60) -> None:
        """Remember where to connect and with which access token."""
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise WebSocketError(f"not a plain http URL: {base_url}")
        self._address = (parts.hostname, parts.port or 80)
        self._host = parts.netloc
        self._token = token
        self._timeout = timeout
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._next_id = 1

    def __enter__(self) -> Self:
        """Connect, upgrade to a websocket and authenticate."""
        self._sock = socket.create_connection(self._address, timeout=self._timeout)
        self._handshake()
        hello = self._receive_json()
        if hello.get("type") != "auth_required":
            raise WebSocketError(f"unexpected greeting: {hello}")
        self._send_json({"type": "auth", "access_token": self._token})
        answer = self._receive_json()
        if answer.get("type") != "auth_ok":
            raise WebSocketError(f"authentication failed: {answer.get('type')}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the connection."""
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._send_frame(OP_CLOSE, struct.pack("!H", 1000))
            self._sock.close()
            self._sock = None

    def command(self, command: str, **data: Any) -> Any:
        """Send one command; return its result or raise with its error."""
        message_id = self._next_id
        self._next_id += 1
        self._send_json({"id": message_id, "type": command, **data})
        while True:
            answer = self._receive_json()
            if answer.get("id") == message_id and answer.get("type") == "result":
                break
        if not answer.get("success"):
            error = answer.get("error") or {}
            raise CommandError(
                command, str(error.get("code")), str(error.get("message"))
            )
        return answer.get("result")

    def _handshake(self) -> None:
        """Ask for the upgrade and check the server's proof."""
        key = base64.b64encode(os.urandom(16)).decode()
        self._send_raw(
            (
                "GET /api/websocket HTTP/1.1\r\n"
                f"Host: {self._host}\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status, *header_lines = head.split("\r\n")
        if " 101 " not in f"{status} ":
            raise WebSocketError(f"no websocket upgrade: {status}")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        expected = base64.b64encode(
            hashlib.sha1((key + HANDSHAKE_GUID).encode()).digest()  # noqa: S324  # RFC 6455
        ).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise WebSocketError("the server's handshake proof does not match")

    def _send_json(self, message: dict[str, Any]) -> None:
        """Send one message as a text frame."""
        self._send_frame(OP_TEXT, json.dumps(message).encode())

    def _receive_json(self) -> dict[str, Any]:
        """Return the next message, answering pings on the way."""
        message = json.loads(self._receive_message())
        if not isinstance(message, dict):
            raise WebSocketError(f"not a message object: {type(message).__name__}")
        return message

    def _receive_message(self) -> bytes:
        """Return the payload of the next text message (all its fragments)."""
        payload = b""
        while True:
            fin, opcode, data = self._receive_frame()
            if opcode == OP_PING:
                self._send_frame(OP_PONG, data)
                continue
            if opcode == OP_CLOSE:
                raise WebSocketError("the server closed the connection")
            if opcode not in (OP_TEXT, OP_CONTINUATION):
                continue
            payload += data
            if len(payload) > MAX_MESSAGE:
                raise WebSocketError("a message larger than 16 MiB")
            if fin:
                return payload

    def _receive_frame(self) -> tuple[bool, int, bytes]:
        """Return (final, opcode, payload) of the next frame."""
        first, second = self._read(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read(8))
        if length > MAX_MESSAGE:
            raise WebSocketError("a frame larger than 16 MiB")
        mask = self._read(4) if second & 0x80 else b""
        data = self._read(length)
        if mask:
            data = bytes(byte ^ mask[index % 4] for index, byte in enumerate(data))
        return bool(first & 0x80), first & 0x0F, data

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        """Send one final frame, masked as a client must."""
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self._send_raw(header + mask + masked)

    def _send_raw(self, data: bytes) -> None:
        """Send bytes on the connection."""
        if self._sock is None:
            raise WebSocketError("not connected")
        self._sock.sendall(data)

    def _read(self, size: int) -> bytes:
        """Return exactly ``size`` bytes."""
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _read_until(self, marker: bytes) -> bytes:
        """Return the bytes up to and without ``marker``."""
        while marker not in self._buffer:
            if len(self._buffer) > 65536:
                raise WebSocketError("the handshake answer is too long")
            self._fill()
        data, _, self._buffer = self._buffer.partition(marker)
        return data

    def _fill(self) -> None:
        """Read what the connection has."""
        if self._sock is None:
            raise WebSocketError("not connected")
        chunk = self._sock.recv(65536)
        if not chunk:
            raise WebSocketError("the connection closed")
        self._buffer += chunk


def keep_http_config(base_url: str, token: str) -> bool:
    """Confirm the YAML `http:` settings where Home Assistant only tries them.

    Newer releases move `http:` to storage as a trial that reverts to the
    defaults (all addresses, port 8123) after five minutes unless an admin
    confirms it. Return whether a trial was confirmed; older releases, which
    have no such command, keep YAML as the configuration.
    """
    with HassWebSocket(base_url, token) as ws:
        try:
            config = ws.command("http/config")
        except CommandError as err:
            if err.code == "unknown_command":
                return False
            raise
        if (
            isinstance(config, dict)
            and config.get("pending") is not None
            and config.get("active_config_type") == "pending"
        ):
            ws.command("http/config/promote")
            return True
    return False

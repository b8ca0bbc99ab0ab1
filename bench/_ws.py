"""A small asyncio websocket client (RFC 6455, no extensions) for the benchmarks.

bench/load.py speaks Reflex's event protocol over it (Engine.IO 4 / Socket.IO 5 on /_event) and
bench/latency.py drives Chromium over the DevTools protocol with it. Hand-written so the
benchmarks need nothing beyond requirements.txt, and lean so the load client takes little of the
CPU it shares with the server: no compression, masking done on whole integers.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from urllib.parse import urlsplit

TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class ConnectionClosed(Exception):
    """The peer closed the websocket (or the TCP connection went away)."""


def _mask(payload: bytes, key: bytes) -> bytes:
    n = len(payload)
    if n == 0:
        return payload
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(repeated, "little")).to_bytes(n, "little")


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False

    @classmethod
    async def connect(
        cls,
        url: str,
        headers: dict[str, str] | None = None,
        subprotocol: str | None = None,
        timeout: float = 30,
    ) -> WebSocket:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=2**24), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        fields = {
            "Host": f"{host}:{port}",
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Version": "13",
        }
        if subprotocol:
            fields["Sec-WebSocket-Protocol"] = subprotocol
        fields.update(headers or {})  # e.g. a Host naming the origin's host, Origin, Cookie
        lines = [f"GET {path} HTTP/1.1"] + [f"{name}: {value}" for name, value in fields.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status = response.split(b"\r\n", 1)[0].decode("latin-1")
        if " 101 " not in status + " ":
            writer.close()
            raise ConnectionError(f"websocket handshake to {url} refused: {status}")
        return cls(reader, writer)

    def send_text_nowait(self, text: str) -> None:
        """Queue a text frame (call drain() or send_text to wait for the socket buffer)."""
        self._write_frame(TEXT, text.encode())

    async def send_text(self, text: str) -> None:
        self._write_frame(TEXT, text.encode())
        await self.writer.drain()

    async def drain(self) -> None:
        await self.writer.drain()

    def _write_frame(self, opcode: int, payload: bytes) -> None:
        if self.closed:
            raise ConnectionClosed("the websocket is closed")
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        key = os.urandom(4)
        self.writer.write(head + key + _mask(payload, key))

    async def recv(self) -> str | bytes:
        """The next text (str) or binary (bytes) message; answers pings; raises ConnectionClosed."""
        chunks: list[bytes] = []
        message_opcode = None
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                fin, opcode = first & 0x80, first & 0x0F
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                key = await self.reader.readexactly(4) if second & 0x80 else None
                payload = await self.reader.readexactly(length) if length else b""
                if key is not None:
                    payload = _mask(payload, key)
                if opcode == PING:
                    self._write_frame(PONG, payload)
                    continue
                if opcode == PONG:
                    continue
                if opcode == CLOSE:
                    self.closed = True
                    self.writer.close()
                    raise ConnectionClosed(
                        f"closed by the peer: {payload[:2].hex()} {payload[2:].decode(errors='replace')}"
                    )
                if opcode != CONTINUATION:
                    message_opcode = opcode
                chunks.append(payload)
                if fin:
                    data = b"".join(chunks)
                    return data.decode() if message_opcode == TEXT else data
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as error:
            self.closed = True
            raise ConnectionClosed(f"the connection went away: {error!r}") from None

    async def close(self) -> None:
        if self.closed:
            return
        try:
            self._write_frame(CLOSE, struct.pack("!H", 1000))
            await self.writer.drain()
        except (ConnectionError, OSError, ConnectionClosed):
            pass
        self.closed = True
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (TimeoutError, ConnectionError, OSError):
            pass

"""A mail server on loopback that accepts every message and keeps none, for bench/reminders.py.

The standard library only, so the benchmark runs after `make setup` alone (aiosmtpd, which the
tests use, comes with requirements-dev.txt). It runs in a process of its own, as a real mail
server would: `python bench/_smtp_sink.py PORT`. It speaks what smtplib sends (EHLO or HELO, MAIL,
RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT), answers 250 to each and forgets the data.
"""

from __future__ import annotations

import asyncio
import sys

_EHLO = b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 33554432\r\n"
_LINE_LIMIT = 1 << 20  # the longest line read (a message's lines are far shorter)


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"220 localhost ESMTP sink\r\n")
    try:
        while True:
            await writer.drain()
            line = await reader.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(_EHLO)
            elif verb == b"HELO":
                writer.write(b"250 localhost\r\n")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                writer.write(b"250 OK\r\n")
            elif verb == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await writer.drain()
                while (chunk := await reader.readline()) not in (b".\r\n", b".\n"):
                    if not chunk:
                        return
                writer.write(b"250 OK: discarded\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"502 Command not implemented\r\n")
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(_session, "127.0.0.1", port, limit=_LINE_LIMIT)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: python bench/_smtp_sink.py PORT", file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(serve(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass

"""The grader's end of a kernel's ZeroMQ socket: ZMTP 3.0 read by the grader itself, bounded.

A kernel speaks ZeroMQ (ZMTP, the wire protocol, over a Unix socket). libzmq in the grader
would buffer what a kernel sends on a thread of its own, and bounds only each *frame*
(``ZMQ_MAXMSGSIZE``): one message of thousands of 9 MB frames, sent from one buffer at no
cost to the kernel, would all be held in the grader before the first frame is delivered.
So the grader speaks ZMTP itself, on a plain non-blocking Unix socket, and reads only what it
has room for: a message's frames are kept while their total stays under ``max_message_bytes``
(each frame counted at least :data:`FRAME_OVERHEAD` bytes, so empty frames count too); the
rest of a larger message is read and dropped, never kept, and counted in
:attr:`Connection.oversized` (the grader then stops the kernel with a fixed-text row); and
nothing more is read from the socket while the messages received and not yet taken reach
``max_message_bytes``: what waits beyond that waits in the operating system's socket buffer.
What one connection holds in the grader is at most about ``2 * max_message_bytes``.

Only what the grader needs: the NULL mechanism (the sockets are reached only through the
sandbox's folder), a ``DEALER`` or ``SUB`` end (a subscription to everything, sent the ZMTP 3.0
way, which libzmq accepts from a 3.0 peer), and commands from the peer ignored. Frames are
bytes; signing and parsing them is :class:`jupyter_client.session.Session`'s business.
"""

from __future__ import annotations

import errno
import socket
import struct

# A frame counts at least this much against a message's bound (the cost of keeping it).
FRAME_OVERHEAD = 64
# Bytes read from the socket at once.
CHUNK = 1 << 16
# Commands (READY, PING...) are tiny; a larger one ends the connection.
MAX_COMMAND_BYTES = 1 << 16

_GREETING = (
    b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 0]) + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
)


def _frame(body: bytes, more: bool = False, command: bool = False) -> bytes:
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def _ready(socket_type: str) -> bytes:
    name, value = b"Socket-Type", socket_type.encode()
    body = b"\x05READY" + bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return _frame(body, command=True)


class Connection:
    """One ZMTP 3.0 connection to the Unix socket at ``path``, as a ``DEALER`` or a ``SUB``.

    Raises :class:`OSError` when the socket cannot be connected.
    """

    def __init__(self, path: str, socket_type: str, max_message_bytes: int) -> None:
        self.max_message_bytes = max_message_bytes
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.sock.setblocking(False)
        self.inbox = bytearray()  # bytes read and not yet parsed (at most a frame header + CHUNK)
        self.outbox = bytearray(_GREETING + _ready(socket_type))
        # A SUB subscribes to every topic (the ZMTP 3.0 way), once the peer's READY has come:
        # libzmq's XPUB drops a connection whose subscription arrives with the handshake.
        self.after_ready = _frame(b"\x01") if socket_type == "SUB" else b""
        self.greeted = False
        self.frames: list[bytes] = []  # the message being received
        self.frame_left = 0  # bytes of the current frame still to come
        self.frame_body = bytearray()
        self.frame_flags = -1  # -1: between frames
        self.message_bytes = 0
        self.discarding = False  # the message passed its bound: the rest is dropped
        self.messages: list[list[bytes]] = []  # received, not yet taken
        self.held = 0  # bytes of ``messages``
        self.oversized = 0  # messages dropped for their size
        self.closed = False  # the peer closed, or broke the protocol
        self.flush()

    def fileno(self) -> int:
        return self.sock.fileno()

    def wants_to_write(self) -> bool:
        return bool(self.outbox) and not self.closed

    def has_room(self) -> bool:
        """Whether the grader reads more from the socket now: what it holds is under the bound
        (a message in progress is bounded by itself), or it is only dropping bytes."""
        if self.closed:
            return False
        return (
            self.discarding
            or not self.held
            or self.held + self.message_bytes < self.max_message_bytes
        )

    def send(self, frames: list[bytes]) -> None:
        """Queue one message of ``frames`` and write what the socket takes now."""
        for index, body in enumerate(frames):
            self.outbox += _frame(bytes(body), more=index < len(frames) - 1)
        self.flush()

    def flush(self) -> None:
        """Write what the socket takes of what is queued, without blocking."""
        while self.outbox and not self.closed:
            try:
                sent = self.sock.send(self.outbox)
            except BlockingIOError:
                return
            except OSError:
                self.closed = True
                return
            del self.outbox[:sent]

    def read(self, max_chunks: int = 64) -> None:
        """Read and parse what has arrived, while there is room, at most ``max_chunks`` reads
        (a kernel that never stops sending cannot keep the grader here); never blocks."""
        for _ in range(max_chunks):
            if not self.has_room():
                return
            try:
                chunk = self.sock.recv(CHUNK)
            except BlockingIOError:
                return
            except OSError as error:
                if error.errno in (errno.EAGAIN, errno.EINTR):
                    return
                self.closed = True
                return
            if not chunk:
                self.closed = True
                return
            self.inbox += chunk
            self._parse()

    def take(self, count: int) -> list[list[bytes]]:
        """Up to ``count`` whole messages received, oldest first (each a list of frames)."""
        taken, self.messages = self.messages[:count], self.messages[count:]
        self.held -= sum(self._cost(message) for message in taken)
        return taken

    @staticmethod
    def _cost(message: list[bytes]) -> int:
        return sum(max(len(frame), FRAME_OVERHEAD) for frame in message)

    def _parse(self) -> None:
        if not self.greeted:
            if len(self.inbox) < len(_GREETING):
                return
            greeting = bytes(self.inbox[: len(_GREETING)])
            del self.inbox[: len(_GREETING)]
            if greeting[0] != 0xFF or greeting[9] & 1 != 1 or greeting[10] < 3:
                self.closed = True  # not ZMTP 3: nothing more is read
                return
            self.greeted = True
        while self.inbox and not self.closed:
            if self.frame_flags < 0:
                if len(self.inbox) < 2:
                    return
                flags = self.inbox[0]
                if flags & 2:
                    if len(self.inbox) < 9:
                        return
                    size = struct.unpack(">Q", self.inbox[1:9])[0]
                    del self.inbox[:9]
                else:
                    size = self.inbox[1]
                    del self.inbox[:2]
                self.frame_flags, self.frame_left = flags, size
                if flags & 4:
                    if size > MAX_COMMAND_BYTES:
                        self.closed = True
                        return
                else:
                    self.message_bytes += max(size, FRAME_OVERHEAD)
                    if self.message_bytes > self.max_message_bytes and not self.discarding:
                        self.discarding = True
                        self.oversized += 1  # counted at once: the grader stops the kernel
                        self.frames, self.frame_body = [], bytearray()
            take = min(self.frame_left, len(self.inbox))
            if not self.discarding or self.frame_flags & 4:
                self.frame_body += self.inbox[:take]
            del self.inbox[:take]
            self.frame_left -= take
            if self.frame_left:
                return  # the rest of the frame has not arrived
            self._end_frame()

    def _end_frame(self) -> None:
        flags, body = self.frame_flags, bytes(self.frame_body)
        self.frame_flags, self.frame_body = -1, bytearray()
        if flags & 4:
            if self.after_ready and body.startswith(b"\x05READY"):
                self.outbox += self.after_ready
                self.after_ready = b""
                self.flush()
            return  # otherwise a command (PING...): nothing the grader needs
        if not self.discarding:
            self.frames.append(body)
        if flags & 1:
            return  # more frames of this message follow
        if not self.discarding:
            self.messages.append(self.frames)
            self.held += self._cost(self.frames)
        self.frames, self.message_bytes, self.discarding = [], 0, False

    def close(self) -> None:
        self.closed = True
        self.sock.close()


__all__ = ["FRAME_OVERHEAD", "Connection"]

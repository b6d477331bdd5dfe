"""SPDY/3.1 framing without I/O, as the Kubernetes streaming protocols use it (moby/spdystream, whose `spdy`
package is Go's SPDY/3 framer): what kubectl's `port-forward` speaks inside WebSocket binary messages (KEP-4006).

The peer writes each frame in several small writes, and every write becomes a WebSocket message, so frames
are cut out of a byte buffer as they complete. Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are one zlib
stream per direction for the whole session, primed with SPDY/3's dictionary and sync-flushed after each block.
No flow control: spdystream never sends WINDOW_UPDATE and ignores it. The SPDY/3 draft (section 2) defines the
layout: a control frame is `1 | version(15) | type(16) | flags(8) | length(24) | data`, a data frame
`0 | stream id(31) | flags(8) | length(24) | data`; a header block is a count, then length-prefixed names and
values (several values of one name joined by NUL), every number a big-endian 32-bit integer.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
# RST_STREAM status codes
PROTOCOL_ERROR, INVALID_STREAM, REFUSED_STREAM, CANCEL, INTERNAL_ERROR = 1, 2, 3, 5, 6
GOAWAY_OK, GOAWAY_PROTOCOL_ERROR = 0, 1
MAX_LENGTH = (1 << 24) - 1  # a frame's 24-bit length
MAX_HEADER_BLOCK = 64 * 1024  # decompressed; a header block beyond it is refused (a zlib bomb stops here)
_HEADER = struct.Struct(">II")

_DICTIONARY_WORDS = (
    "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
    "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
    "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
    "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
    "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
    "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after", "server",
    "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning", "www-authenticate",
    "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
)
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)
# SPDY/3's header compression dictionary (draft 3, 2.6.10.1): the words length-prefixed, then the tail.
DICTIONARY = b"".join(struct.pack(">I", len(word)) + word.encode() for word in _DICTIONARY_WORDS) + \
    _DICTIONARY_TAIL.encode()

Headers = dict[str, list[str]]


class ProtocolError(Exception):
    """The peer broke the framing: the session cannot go on (answer with GOAWAY and close)."""


@dataclass(frozen=True)
class SynStream:
    stream_id: int
    headers: Headers
    fin: bool = False
    associated_to: int = 0
    priority: int = 0


@dataclass(frozen=True)
class SynReply:
    stream_id: int
    headers: Headers
    fin: bool = False


@dataclass(frozen=True)
class Data:
    stream_id: int
    data: bytes
    fin: bool = False


@dataclass(frozen=True)
class RstStream:
    stream_id: int
    status: int


@dataclass(frozen=True)
class Ping:
    ping_id: int


@dataclass(frozen=True)
class GoAway:
    last_good_stream_id: int
    status: int


@dataclass(frozen=True)
class Ignored:
    """SETTINGS, HEADERS or WINDOW_UPDATE: spdystream's peers need no answer to these."""

    frame_type: int


Frame = SynStream | SynReply | Data | RstStream | Ping | GoAway | Ignored


def encode_header_block(headers: Headers) -> bytes:
    """The uncompressed block: count, then each lower-case name and its values joined by NUL."""
    parts = [struct.pack(">I", len(headers))]
    for name, values in headers.items():
        key, value = name.lower().encode(), "\x00".join(values).encode()
        parts += [struct.pack(">I", len(key)), key, struct.pack(">I", len(value)), value]
    return b"".join(parts)


def decode_header_block(block: bytes) -> Headers:
    """Parse an uncompressed header block; ProtocolError when it is cut short or has trailing bytes."""
    try:
        (count,) = struct.unpack_from(">I", block, 0)
        position, headers = 4, {}
        for _ in range(count):
            (size,) = struct.unpack_from(">I", block, position)
            name = block[position + 4: position + 4 + size]
            position += 4 + size
            (size,) = struct.unpack_from(">I", block, position)
            value = block[position + 4: position + 4 + size]
            position += 4 + size
            if position > len(block):
                raise ProtocolError("header block cut short")
            headers[name.decode("latin-1").lower()] = value.decode("latin-1").split("\x00")
    except struct.error as error:
        raise ProtocolError("header block cut short") from error
    if position != len(block):
        raise ProtocolError("compressed payload size was incorrect")
    return headers


def control_frame(frame_type: int, payload: bytes, flags: int = 0) -> bytes:
    return _HEADER.pack(0x80000000 | VERSION << 16 | frame_type, flags << 24 | len(payload)) + payload


def data_frames(stream_id: int, data: bytes, *, fin: bool = False) -> bytes:
    """DATA frames carrying `data` (split at the 24-bit length limit), the last one with FIN when `fin`."""
    chunks = [data[start:start + MAX_LENGTH] for start in range(0, len(data), MAX_LENGTH)] or [b""]
    return b"".join(_HEADER.pack(stream_id & 0x7FFFFFFF, (FLAG_FIN if fin and index == len(chunks) - 1 else 0) << 24
                                 | len(chunk)) + chunk for index, chunk in enumerate(chunks))


class Session:
    """One SPDY session's framing state: its two header-compression contexts and the bytes not yet framed.

    `receive` cuts complete frames out of what arrived; the other methods encode frames. A session is used by
    one task at a time (the compression contexts are sequential by nature).
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)
        self._deflate = zlib.compressobj(zlib.Z_BEST_COMPRESSION, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY,
                                         DICTIONARY)

    def receive(self, data: bytes) -> list[Frame]:
        """The frames `data` completes (in order); ProtocolError for a malformed one."""
        self._buffer += data
        frames: list[Frame] = []
        while len(self._buffer) >= 8:
            first, second = _HEADER.unpack_from(self._buffer)
            length = second & 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            payload = bytes(self._buffer[8:8 + length])
            del self._buffer[:8 + length]
            flags = second >> 24
            if first & 0x80000000:
                frames.append(self._control(first >> 16 & 0x7FFF, first & 0xFFFF, flags, payload))
            else:
                stream_id = first & 0x7FFFFFFF
                if not stream_id:
                    raise ProtocolError("stream id zero is disallowed")
                frames.append(Data(stream_id, payload, bool(flags & FLAG_FIN)))
        return frames

    def _control(self, version: int, frame_type: int, flags: int, payload: bytes) -> Frame:
        if version != VERSION:
            raise ProtocolError(f"unsupported SPDY version {version}")
        minimum = {SYN_STREAM: 10, SYN_REPLY: 4, RST_STREAM: 8, PING: 4, GOAWAY: 8, HEADERS: 4, WINDOW_UPDATE: 8}
        if len(payload) < minimum.get(frame_type, 0):
            raise ProtocolError(f"control frame of type {frame_type} too short")
        if frame_type == SYN_STREAM:
            stream_id, associated = struct.unpack_from(">II", payload)
            if not stream_id & 0x7FFFFFFF:
                raise ProtocolError("stream id zero is disallowed")
            return SynStream(stream_id & 0x7FFFFFFF, self._headers(payload[10:]), bool(flags & FLAG_FIN),
                             associated & 0x7FFFFFFF, payload[8] >> 5)
        if frame_type == SYN_REPLY:
            (stream_id,) = struct.unpack_from(">I", payload)
            return SynReply(stream_id & 0x7FFFFFFF, self._headers(payload[4:]), bool(flags & FLAG_FIN))
        if frame_type == RST_STREAM:
            stream_id, status = struct.unpack_from(">II", payload)
            return RstStream(stream_id & 0x7FFFFFFF, status)
        if frame_type == PING:
            return Ping(struct.unpack_from(">I", payload)[0])
        if frame_type == GOAWAY:
            last_good, status = struct.unpack_from(">II", payload)
            return GoAway(last_good & 0x7FFFFFFF, status)
        if frame_type == HEADERS:
            self._headers(payload[4:])  # keeps the shared decompression context in step
            return Ignored(frame_type)
        if frame_type in (SETTINGS, WINDOW_UPDATE):
            return Ignored(frame_type)
        raise ProtocolError(f"unknown frame type {frame_type}")

    def _headers(self, compressed: bytes) -> Headers:
        try:
            block = self._inflate.decompress(compressed, MAX_HEADER_BLOCK)
        except zlib.error as error:
            raise ProtocolError(f"header block: {error}") from error
        if self._inflate.unconsumed_tail:
            raise ProtocolError(f"header block larger than {MAX_HEADER_BLOCK} bytes")
        return decode_header_block(block)

    def _compress(self, headers: Headers) -> bytes:
        return self._deflate.compress(encode_header_block(headers)) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    def syn_stream(self, stream_id: int, headers: Headers, *, fin: bool = False) -> bytes:
        """A SYN_STREAM (what a client sends to open a stream; the tests play kubectl with it)."""
        return control_frame(SYN_STREAM, struct.pack(">IIBB", stream_id, 0, 0, 0) + self._compress(headers),
                             FLAG_FIN if fin else 0)

    def syn_reply(self, stream_id: int, headers: Headers | None = None, *, fin: bool = False) -> bytes:
        """A SYN_REPLY accepting a stream (spdystream replies with empty headers)."""
        return control_frame(SYN_REPLY, struct.pack(">I", stream_id) + self._compress(headers or {}),
                             FLAG_FIN if fin else 0)

    @staticmethod
    def data(stream_id: int, data: bytes, *, fin: bool = False) -> bytes:
        return data_frames(stream_id, data, fin=fin)

    @staticmethod
    def rst_stream(stream_id: int, status: int) -> bytes:
        return control_frame(RST_STREAM, struct.pack(">II", stream_id, status))

    @staticmethod
    def ping(ping_id: int) -> bytes:
        return control_frame(PING, struct.pack(">I", ping_id))

    @staticmethod
    def goaway(last_good_stream_id: int, status: int = GOAWAY_OK) -> bytes:
        return control_frame(GOAWAY, struct.pack(">II", last_good_stream_id, status))

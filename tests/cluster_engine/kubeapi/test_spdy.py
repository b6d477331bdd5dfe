"""SPDY/3.1 framing (`kubeapi/spdy.py`): golden bytes of the frames, kubectl's own bytes decoded, and refusals."""

from __future__ import annotations

import hashlib
import struct
import zlib
from pathlib import Path

import pytest

from cluster_engine.kubeapi import spdy
from cluster_engine.kubeapi.spdy import Data, GoAway, Ignored, Ping, RstStream, Session, SynReply, SynStream

KUBECTL_WIRE = Path(__file__).parent / "testdata" / "kubectl_portforward.hex"
GET = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:18789\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"


def kubectl_bytes() -> bytes:
    lines = KUBECTL_WIRE.read_text().splitlines()
    return bytes.fromhex("".join(line for line in lines if not line.startswith("#")))


def test_the_dictionary_is_spdy3s():
    # the zlib header of a primed stream names the dictionary by its Adler-32: Go's reader refuses any other
    assert len(spdy.DICTIONARY) == 1423
    assert zlib.adler32(spdy.DICTIONARY) == 0xE3C6A7C2
    assert hashlib.sha256(spdy.DICTIONARY).hexdigest() == \
        "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02"


def test_kubectls_session_decodes_frame_by_frame():
    frames = Session().receive(kubectl_bytes())
    assert frames == [
        SynStream(1, {"streamtype": ["error"], "port": ["80"], "requestid": ["0"]}),
        Data(1, b"", fin=True),  # kubectl never writes to the error stream
        SynStream(3, {"streamtype": ["data"], "port": ["80"], "requestid": ["0"]}),
        Data(3, GET),
        RstStream(3, spdy.CANCEL),  # kubectl drops the data stream once the reply has ended
        SynStream(5, {"port": ["80"], "requestid": ["1"], "streamtype": ["error"]}),
        Data(5, b"", fin=True),
        SynStream(7, {"streamtype": ["data"], "port": ["80"], "requestid": ["1"]}),
        Data(7, GET),
        RstStream(7, spdy.CANCEL),
    ]


def test_frames_split_anywhere_arrive_whole():
    # kubectl writes each field of a frame separately, so any split must work, one byte at a time included
    wire, session, frames = kubectl_bytes(), Session(), []
    for index in range(len(wire)):
        frames += session.receive(wire[index:index + 1])
    assert frames == Session().receive(wire)


def test_control_frames_have_spdy3s_layout():
    session = Session()
    assert session.ping(1) == bytes.fromhex("80030006" "00000004" "00000001")
    assert session.rst_stream(3, spdy.CANCEL) == bytes.fromhex("80030003" "00000008" "00000003" "00000005")
    assert session.goaway(7, spdy.GOAWAY_PROTOCOL_ERROR) == bytes.fromhex("80030007" "00000008" "00000007"
                                                                          "00000001")
    assert session.data(3, b"hi") == bytes.fromhex("00000003" "00000002") + b"hi"
    assert session.data(3, b"", fin=True) == bytes.fromhex("00000003" "01000000")  # spdystream's Close()


def test_data_longer_than_a_frame_is_split_with_fin_on_the_last():
    data = bytes(spdy.MAX_LENGTH + 10)
    frames = Session().receive(Session.data(5, data, fin=True))
    assert [(f.stream_id, len(f.data), f.fin) for f in frames] == [(5, spdy.MAX_LENGTH, False), (5, 10, True)]


def test_header_block_layout():
    block = spdy.encode_header_block({"Port": ["80"], "x": ["a", "b"]})
    assert block == (struct.pack(">I", 2) + struct.pack(">I", 4) + b"port" + struct.pack(">I", 2) + b"80"
                     + struct.pack(">I", 1) + b"x" + struct.pack(">I", 3) + b"a\x00b")
    assert spdy.decode_header_block(block) == {"port": ["80"], "x": ["a", "b"]}
    with pytest.raises(spdy.ProtocolError):
        spdy.decode_header_block(block[:-1])
    with pytest.raises(spdy.ProtocolError):
        spdy.decode_header_block(block + b"\x00")


def test_replies_and_streams_round_trip_through_one_compression_context_per_direction():
    server, client = Session(), Session()
    first = server.syn_reply(1)
    # control bit, version 3, type 2; no flags, the length of what follows; the stream id; the compressed block
    assert first[:5] == bytes.fromhex("8003000200")
    assert int.from_bytes(first[5:8]) == len(first) - 8
    assert first[8:12] == struct.pack(">I", 1)
    wire = first + server.syn_reply(3, {"a": ["b"]}, fin=True) + server.syn_stream(2, {"c": ["d"]})
    assert client.receive(wire) == [SynReply(1, {}), SynReply(3, {"a": ["b"]}, fin=True), SynStream(2, {"c": ["d"]})]


def test_pings_goaways_and_flow_control_are_read():
    session = Session()
    frames = session.receive(session.ping(9) + session.goaway(3) + spdy.control_frame(spdy.WINDOW_UPDATE, bytes(8))
                             + spdy.control_frame(spdy.SETTINGS, struct.pack(">I", 0)))
    assert frames == [Ping(9), GoAway(3, spdy.GOAWAY_OK), Ignored(spdy.WINDOW_UPDATE), Ignored(spdy.SETTINGS)]


@pytest.mark.parametrize(("wire", "problem"), [
    (bytes.fromhex("80020006" "00000004" "00000001"), "unsupported SPDY version 2"),
    (bytes.fromhex("00000000" "00000001") + b"x", "stream id zero"),
    (bytes.fromhex("80030063" "00000000"), "unknown frame type 99"),
    (bytes.fromhex("80030006" "00000002") + b"xx", "too short"),
    (spdy.control_frame(spdy.SYN_STREAM, bytes(10) + b"not zlib"), "stream id zero"),
    (spdy.control_frame(spdy.SYN_STREAM, struct.pack(">IIBB", 1, 0, 0, 0) + b"not zlib"), "header block"),
])
def test_malformed_frames_are_protocol_errors(wire, problem):
    with pytest.raises(spdy.ProtocolError, match=problem):
        Session().receive(wire)


def test_a_header_block_that_inflates_past_the_limit_is_refused():
    deflate = zlib.compressobj(9, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, spdy.DICTIONARY)
    bomb = deflate.compress(spdy.encode_header_block({"x": ["a" * (spdy.MAX_HEADER_BLOCK * 2)]}))
    bomb += deflate.flush(zlib.Z_SYNC_FLUSH)
    assert len(bomb) < 2000
    with pytest.raises(spdy.ProtocolError, match="larger than"):
        Session().receive(spdy.control_frame(spdy.SYN_STREAM, struct.pack(">IIBB", 1, 0, 0, 0) + bomb))

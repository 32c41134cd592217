"""Response decoding in bounded memory: a compressed body never expands past the size cap.

httpx decodes each network chunk whole, so 64 KiB of a gzip bomb becomes 64 MiB in one call before
any cap can look at it. Here the raw stream is inflated with zlib's `max_length`, at most `PIECE`
bytes per step, lazily: the reader stops pulling once it holds the cap, so memory stays around
cap + a few pieces whatever the compression ratio (also for stacked codings such as "gzip, gzip").
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Any

PIECE = 64 * 1024
MAX_CODINGS = 3
# Only what is decoded here is advertised: no br or zstd, for which no bounded decoder is installed.
ACCEPT_ENCODING = "gzip, deflate"
_GZIP = 16 + zlib.MAX_WBITS
# (window bits, fallback when the first bytes do not parse): "deflate" is zlib-wrapped by the
# standard but sent raw by some servers; httpx accepts both, so do we.
_CODINGS: dict[str, tuple[int, int | None]] = {
    "gzip": (_GZIP, None),
    "x-gzip": (_GZIP, None),
    "deflate": (zlib.MAX_WBITS, -zlib.MAX_WBITS),
}


class DecodeError(Exception):
    """The body does not decode as its Content-Encoding says."""


def codings_of(content_encoding: str) -> list[str] | None:
    """The codings to undo, outermost first; None when one is unknown (the body is kept as sent)."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_CODINGS or any(c not in _CODINGS for c in codings):
        return None
    return codings[::-1]


def decoded(raw: Iterable[bytes], content_encoding: str) -> Iterable[bytes]:
    """The body in pieces of at most PIECE bytes (raw chunks pass as they come when not encoded)."""
    stream = raw
    for coding in codings_of(content_encoding) or ():
        stream = _inflate(stream, coding, *_CODINGS[coding])
    return stream


def _inflate(chunks: Iterable[bytes], coding: str, wbits: int, fallback: int | None) -> Iterator[bytes]:
    engine: Any = None
    try:
        for chunk in chunks:
            if engine is None:
                engine, first = _start(chunk, wbits, fallback)
                yield first
                chunk = engine.unconsumed_tail
            yield from _drain(engine, chunk)
            if engine.eof:
                return  # trailing bytes after the end of the stream are ignored, as httpx does
    except zlib.error as exc:
        raise DecodeError(f"the body is not valid {coding} ({exc})") from None


def _start(chunk: bytes, wbits: int, fallback: int | None) -> tuple[Any, bytes]:
    """A decompressor for the stream and its first output byte (max 1: the probe cannot blow up)."""
    engine = zlib.decompressobj(wbits)
    try:
        return engine, engine.decompress(chunk, 1)
    except zlib.error:
        if fallback is None:
            raise
        engine = zlib.decompressobj(fallback)
        return engine, engine.decompress(chunk, 1)


def _drain(engine: Any, data: bytes) -> Iterator[bytes]:
    """Everything `data` inflates to, PIECE bytes at a time."""
    while True:
        out = engine.decompress(data, PIECE)
        if out:
            yield out
        data = engine.unconsumed_tail
        if engine.eof or (not data and len(out) < PIECE):
            return

"""Inflate one part of an untrusted zip ourselves, a chunk at a time (safe_zip.py's check).

zipfile would trust the local header's sizes and quietly cut a stream at the declared size;
here the deflate stream is followed to its own end, so a part that inflates past its claim is
seen (and stopped by the caller), and memory stays at a chunk whatever the part's size.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

# Read and inflate in pieces this size: memory stays flat whatever the part's size.
CHUNK = 64 * 1024
LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # the 30-byte zip local file header
LOCAL_MAGIC = b"PK\x03\x04"


class Damaged(Exception):
    """The bytes of one part do not form what the zip headers promise."""


def inflate(f: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, in pieces of at most CHUNK, inflated here rather than by zipfile.

    We inflate until the deflate stream itself ends, not until the declared size, so the
    caller sees (and stops) a stream that runs on past its header's claim; zipfile would
    quietly cut it at the declared size, but other readers (LibreOffice) might not.
    """
    f.seek(info.header_offset)
    head = f.read(LOCAL_HEADER.size)
    if len(head) != LOCAL_HEADER.size or head[:4] != LOCAL_MAGIC:
        raise Damaged("no local header where the central directory points")
    name_len, extra_len = LOCAL_HEADER.unpack(head)[-2:]
    f.seek(info.header_offset + LOCAL_HEADER.size + name_len + extra_len)
    left = info.compress_size
    inflater = (
        zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
    )
    while True:
        raw = b""
        if left:
            raw = f.read(min(CHUNK, left))
            if not raw:
                raise Damaged("data cut short")
            left -= len(raw)
        if inflater is None:  # stored
            if not raw:
                return
            yield raw
            continue
        while True:  # one compressed chunk may inflate ~1000x: hand it out CHUNK at a time
            out = inflater.decompress(raw, CHUNK)
            raw = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof or not (out or raw):
                break
        if inflater.eof:
            return
        if not left:
            raise Damaged("deflate stream cut short")

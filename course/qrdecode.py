"""Provides :func:`decode_svg`: the text of a QR code drawn as an SVG path (as segno draws).

The course's "scanner" for the virtual authenticator. It reads the dark modules from the
path's horizontal runs (``M``/``m`` moves, ``h`` runs), finds version, error-correction
level and mask by comparing the function and format modules with those of a symbol that
segno lays out for each candidate, unmasks the data modules in placement order,
de-interleaves the data codewords and reads the segments (numeric, alphanumeric, byte).
It corrects no errors: an undamaged symbol, as written by ``otpqr``, is all it needs. The
layout tables and mask functions are segno's (a pinned dependency), so writer and reader
cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import segno.consts
import segno.encoder

__all__ = ["QrDecodeError", "decode_svg"]

_PATH = re.compile(r"<path\b[^>]*\bd=\"([^\"]+)\"")
_TOKEN = re.compile(r"([MmHhVv])\s*(-?[\d.]+)(?:[\s,]+(-?[\d.]+))?")
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
# segno's layout functions and tables (untyped internals of a pinned version).
encoder: Any = segno.encoder
consts: Any = segno.consts


class QrDecodeError(ValueError):
    """The SVG holds no QR code this reader understands."""


def _dark_modules(svg: str) -> set[tuple[int, int]]:
    found = _PATH.search(svg)
    if found is None:
        raise QrDecodeError("the SVG has no path to read QR modules from")
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, first, second in _TOKEN.findall(found.group(1)):
        a = float(first)
        b = float(second) if second else 0.0
        if command == "M":
            x, y = a, b
        elif command == "m":
            x, y = x + a, y + b
        elif command in "hH":
            end = x + a if command == "h" else a
            dark.update((col, int(y)) for col in range(round(x), round(end)))
            x = end
        else:
            raise QrDecodeError("the SVG draws its modules in a way this reader does not know")
    if not dark:
        raise QrDecodeError("the SVG's path draws no modules")
    return dark


def _matrix(dark: set[tuple[int, int]]) -> list[list[int]]:
    left = min(col for col, _ in dark)
    top = min(row for _, row in dark)
    size = max(max(col for col, _ in dark) - left, max(row for _, row in dark) - top) + 1
    if size < 21 or (size - 17) % 4:
        raise QrDecodeError(f"{size} modules wide is no QR code size (Micro QR is not read)")
    return [[int((left + c, top + r) in dark) for c in range(size)] for r in range(size)]


def _placement(template: tuple[bytearray, ...]) -> Iterator[tuple[int, int]]:
    """Data module positions in placement order (ISO/IEC 18004 7.7.3), as segno places."""
    size = len(template)
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in range(2):
                col = right - z
                upwards = ((right & 2) == 0) ^ (col < 6)
                row = (size - 1 - vertical) if upwards else vertical
                if template[row][col] == 0x2:
                    yield row, col


def _format(matrix: list[list[int]], version: int) -> tuple[int, int, tuple[bytearray, ...]]:
    """Error level and mask whose function modules match ``matrix``; the bare template."""
    size = len(matrix)
    template = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(template, size, size)
    encoder.add_alignment_patterns(template, size, size)
    best: tuple[int, int, int] | None = None
    for error in consts.ERROR_MAPPING.values():
        for mask in range(8):
            candidate = tuple(bytearray(row) for row in template)
            encoder.add_format_info(candidate, version, error, mask)
            encoder.add_version_info(candidate, version)
            wrong = sum(
                candidate[r][c] != matrix[r][c]
                for r in range(size)
                for c in range(size)
                if candidate[r][c] != 0x2
            )
            if best is None or wrong < best[0]:
                best = (wrong, error, mask)
    assert best is not None
    if best[0] > 3:
        raise QrDecodeError("the SVG's modules do not form a QR code this reader can read")
    return best[1], best[2], template


def _codewords(matrix: list[list[int]], version: int) -> bytes:
    error, mask, template = _format(matrix, version)
    unmask = encoder.get_data_mask_functions(False)[mask]
    bits = [matrix[r][c] ^ int(unmask(r, c)) for r, c in _placement(template)]
    words = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]
    blocks: list[list[int]] = []
    for info in consts.ECC[version][error]:
        blocks += [[] for _ in range(info.num_blocks)]
    sizes = [info.num_data for info in consts.ECC[version][error] for _ in range(info.num_blocks)]
    stream = iter(words)
    for index in range(max(sizes)):  # data codewords come interleaved, block by block
        for block, size in zip(blocks, sizes, strict=True):
            if index < size:
                block.append(next(stream))
    return bytes(word for block in blocks for word in block)


def _segments(data: bytes, version: int) -> str:
    bits = "".join(f"{byte:08b}" for byte in data)
    position = 0

    def take(count: int) -> int:
        nonlocal position
        if position + count > len(bits):
            raise QrDecodeError("the QR code's data ends in the middle of a segment")
        value = int(bits[position : position + count], 2)
        position += count
        return value

    wide = 0 if version < 10 else 1 if version < 27 else 2
    text = []
    while len(bits) - position >= 4:
        mode = take(4)
        if mode == 0:
            break
        if mode == 4:  # byte
            count = take((8, 16, 16)[wide])
            raw = bytes(take(8) for _ in range(count))
            # Byte mode means ISO-8859-1 unless an ECI says otherwise; writers (segno
            # too) put UTF-8 there without one when Latin-1 cannot hold the text.
            try:
                text.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                text.append(raw.decode("iso-8859-1"))
        elif mode == 7:  # ECI designator (one byte below 128); bytes decode as above
            take(8)
        elif mode == 2:  # alphanumeric
            count = take((9, 11, 13)[wide])
            chars = []
            for _ in range(count // 2):
                pair = take(11)
                chars += [_ALNUM[pair // 45], _ALNUM[pair % 45]]
            if count % 2:
                chars.append(_ALNUM[take(6)])
            text.append("".join(chars))
        elif mode == 1:  # numeric
            count = take((10, 12, 14)[wide])
            digits = "".join(f"{take(10):03d}" for _ in range(count // 3))
            rest = count % 3
            if rest:
                digits += f"{take(3 * rest + 1):0{rest}d}"
            text.append(digits)
        else:
            raise QrDecodeError(f"the QR code uses a segment mode ({mode}) this reader lacks")
    return "".join(text)


def decode_svg(svg: str) -> str:
    """The text encoded in the QR code that ``svg`` draws.

    Raises:
        QrDecodeError: no QR code path, or one this reader cannot read.
    """
    matrix = _matrix(_dark_modules(svg))
    version = (len(matrix) - 17) // 4
    return _segments(_codewords(matrix, version), version)

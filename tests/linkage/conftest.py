"""Fixtures of the linkage tests."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest

TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 writes Vietnamese: a precomposed base letter plus a combining tone."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tone = next(c for c in parts if c in TONES)
            base = unicodedata.normalize("NFC", parts.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


@pytest.fixture
def cp1258() -> Callable[[str], bytes]:
    return _cp1258

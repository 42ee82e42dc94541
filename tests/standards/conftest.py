"""Fixtures for the standards tests (pure: no database)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def dong_nai() -> dict[str, Any]:
    """Đồng Nai's 2022–2025 provincial standard (fact sheet §0) as an administrator would publish it."""
    return dong_nai_document()


def dong_nai_document() -> dict[str, Any]:
    src = {
        "status": "verified",
        "source": "https://kinhtedothi.vn/dong-nai-ban-hanh-quy-dinh-chuan-ho-ngheo-da-chieu-giai-doan-2022-2025.html",
    }
    q = lambda v: {"value": v, "provenance": src}  # noqa: E731
    return {
        "schema_version": 1,
        "code": "dong-nai-2022-2025",
        "title": "Chuẩn nghèo đa chiều tỉnh Đồng Nai giai đoạn 2022–2025",
        "scope": "province",
        "province_code": "75",
        "based_on": "vn-2022-2025",
        "legal_basis": [{"document": "Nghị quyết HĐND tỉnh Đồng Nai", "provenance": src}],
        "effective_from": "2022-01-01",
        "effective_to": "2025-12-31",
        "effective_provenance": src,
        "income_lines": {
            "poor": {"rural": q(2_000_000), "urban": q(2_500_000)},
            "income_only_poor": None,
            "average_upper": {"rural": q(3_000_000), "urban": q(3_750_000)},
        },
        "deprivation_threshold": q(2),
    }

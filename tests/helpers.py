"""Shared test helpers: sample records, a scripted prompter."""

from __future__ import annotations

import datetime as dt

from danvan_desktop.domain import Field, Kind, ModelData, SubjectType


def sample_model(unit_id: int, **overrides: object) -> ModelData:
    values: dict[str, object] = {
        "name": "Du lịch cộng đồng ở bản Pá Khoang",
        "kind": Kind.MODEL,
        "subject_type": SubjectType.COLLECTIVE,
        "field": Field.ECONOMY,
        "unit_id": unit_id,
        "village": "Bản Pá Khoang",
        "ethnic_minority_area": True,
        "period_start": 2025,
        "period_end": 2030,
        "is_new": True,
        "registered_on": dt.date(2026, 3, 2),
        "situation": "Bản có cảnh quan đẹp nhưng người dân chưa có thu nhập từ du lịch.",
        "goals": "Tăng thu nhập cho 30 hộ; giữ gìn văn hóa dân tộc Thái.",
        "content": "Vận động hộ dân làm homestay, thành lập tổ du lịch cộng đồng.",
        "lead_forces": "Chi bộ bản",
    }
    values.update(overrides)
    return ModelData(**values)  # type: ignore[arg-type]

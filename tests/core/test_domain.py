"""Rules of the domain: folding for search, validation, the lifecycle's moves."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from danvan_desktop.domain import (
    EventData,
    EventError,
    ModelData,
    Status,
    SubjectType,
    ValidationError,
    fold,
    next_statuses,
    search_terms,
    validate_event,
    validate_model,
)
from tests.helpers import sample_model


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Dân vận khéo", "dan van kheo"),
        ("Đồng bào dân tộc thiểu số", "dong bao dan toc thieu so"),
        ("ĐẢNG ỦY XÃ", "dang uy xa"),
        ("Xã Hòa An", "xa hoa an"),
        ("Xã Hoà An", "xa hoa an"),  # old tone placement folds the same
        ("B’Lao", "b'lao"),
        ("  nhiều   khoảng   trắng ", "nhieu khoang trang"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded


def test_search_terms_split_and_fold() -> None:
    assert search_terms("  Đồng   BÀO ") == ["dong", "bao"]
    assert search_terms("   ") == []


def test_valid_model_is_cleaned_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "  Hiến đất làm đường  ")
    data = validate_model(sample_model(1, name=nfd))
    assert data.name == "Hiến đất làm đường"
    assert unicodedata.is_normalized("NFC", data.name)


def test_collective_drops_person_fields() -> None:
    data = validate_model(sample_model(1, person_name="Lò Văn A", person_position="Trưởng bản"))
    assert (data.person_name, data.person_position) == ("", "")


def _errors(data: ModelData) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validate_model(data)
    return info.value.fields


def test_required_fields_are_named() -> None:
    empty = ModelData()
    assert set(_errors(empty)) >= {"name", "unit_id", "period_start", "period_end"}


def test_individual_needs_a_name() -> None:
    data = sample_model(1, subject_type=SubjectType.INDIVIDUAL, person_name="  ")
    assert _errors(data) == ["person_name"]


def test_period_end_before_start() -> None:
    assert _errors(sample_model(1, period_start=2030, period_end=2025)) == ["period_end"]


def test_year_out_of_range() -> None:
    assert _errors(sample_model(1, period_start=1990)) == ["period_start"]


def test_evaluation_before_start() -> None:
    data = sample_model(1, start_date=dt.date(2026, 5, 1), evaluation_date=dt.date(2026, 4, 1))
    assert _errors(data) == ["evaluation_date"]


def test_text_over_limit() -> None:
    assert _errors(sample_model(1, name="x" * 301)) == ["name"]
    assert _errors(sample_model(1, goals="y" * 20_001)) == ["goals"]


def test_control_characters_refused() -> None:
    assert _errors(sample_model(1, content="a\x00b")) == ["content"]


def test_error_message_uses_vietnamese_labels() -> None:
    with pytest.raises(ValidationError) as info:
        validate_model(sample_model(1, name="", period_start=2030, period_end=2025))
    message = str(info.value)
    assert "Tên mô hình" in message and "Giai đoạn đến năm" in message


def test_lifecycle_moves() -> None:
    assert next_statuses(Status.REGISTERED) == [
        Status.IMPLEMENTING,
        Status.RECOGNISED,
        Status.EXEMPLARY,
        Status.COMMENDED,
        Status.STOPPED,
    ]
    assert next_statuses(Status.COMMENDED) == [Status.STOPPED]
    assert next_statuses(Status.STOPPED) == [Status.IMPLEMENTING]


def test_decided_steps_need_a_body_and_commendation_a_form() -> None:
    today = dt.date(2026, 11, 25)
    with pytest.raises(EventError) as info:
        validate_event(EventData(Status.COMMENDED, today), today=today)
    assert set(info.value.fields) == {"deciding_body", "commendation_form"}
    with pytest.raises(EventError):
        validate_event(EventData(Status.IMPLEMENTING, today + dt.timedelta(days=1)), today=today)
    ok = validate_event(EventData(Status.IMPLEMENTING, today, note=" bắt đầu "), today=today)
    assert ok.note == "bắt đầu"


def test_returned_for_correction() -> None:
    assert next_statuses(Status.IMPLEMENTING, from_above=True) == [
        Status.RECOGNISED,
        Status.EXEMPLARY,
        Status.COMMENDED,
        Status.RETURNED,
    ]
    assert next_statuses(Status.RETURNED, from_above=True) == [
        Status.RECOGNISED,
        Status.EXEMPLARY,
        Status.COMMENDED,
    ]
    assert next_statuses(Status.RETURNED)[0] is Status.IMPLEMENTING
    assert Status.RETURNED not in next_statuses(Status.REGISTERED)  # only the level above returns
    today = dt.date(2026, 11, 25)
    with pytest.raises(EventError) as info:
        validate_event(EventData(Status.RETURNED, today), today=today)
    assert info.value.fields == ["note"]

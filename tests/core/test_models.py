"""Models: identity, revisions, tombstones, search, filters, the lifecycle."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid

import pytest

from danvan_desktop.domain import (
    EventData,
    EventError,
    Field,
    Period,
    Status,
    SubjectType,
    ValidationError,
)
from danvan_desktop.services import Services, UserError
from danvan_desktop.services.errors import ConflictError
from danvan_desktop.services.models import ModelFilter, SortKey
from tests.conftest import STAFF
from tests.helpers import sample_model

TODAY = dt.date(2026, 11, 25)


def unit_id(services: Services) -> int:
    return services.installation.get().unit.id


def test_create_gives_identity_and_history(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    record = services.models.get(model_id)
    assert uuid.UUID(record.uuid).version == 4
    assert record.unit_code == "03820"
    assert record.revision == 1
    assert record.created_at.tzinfo is not None and record.created_at == record.updated_at
    assert record.created_by == STAFF
    assert record.status is Status.REGISTERED
    assert [(e.status, e.event_date) for e in record.events] == [
        (Status.REGISTERED, dt.date(2026, 3, 2))
    ]


def test_update_increments_revision_only_on_change(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    record = services.models.get(model_id)
    same = services.models.update(model_id, record.data, expected_revision=1, by=STAFF)
    assert same == 1
    changed = sample_model(unit_id(services), goals="Mục tiêu mới")
    assert services.models.update(model_id, changed, expected_revision=1, by="Lò Văn B") == 2
    after = services.models.get(model_id)
    assert after.data.goals == "Mục tiêu mới"
    assert after.updated_by == "Lò Văn B"
    assert after.updated_at > after.created_at
    with pytest.raises(ConflictError, match="vừa được sửa"):
        services.models.update(model_id, changed, expected_revision=1, by=STAFF)


def test_invalid_model_saves_nothing(services: Services) -> None:
    with pytest.raises(ValidationError):
        services.models.create(sample_model(unit_id(services), name=""), by=STAFF)
    good = sample_model(unit_id(services))
    bad = sample_model(unit_id(services), period_start=2030, period_end=2020)
    with pytest.raises(UserError, match="Mục 2"):
        services.models.create_many([good, bad], by=STAFF)
    assert services.models.count() == 0


def test_nfd_is_stored_nfc(services: Services) -> None:
    nfd = unicodedata.normalize("NFD", "Phòng chống ma túy")
    model_id = services.models.create(sample_model(unit_id(services), name=nfd), by=STAFF)
    assert services.models.get(model_id).data.name == "Phòng chống ma túy"


def test_delete_leaves_a_tombstone(services: Services) -> None:
    keep = services.models.create(sample_model(unit_id(services), name="Giữ lại"), by=STAFF)
    gone = services.models.create(sample_model(unit_id(services), name="Xóa đi"), by=STAFF)
    services.models.delete(gone, by=STAFF)
    assert services.models.ids() == [keep]
    assert services.models.count() == 1
    assert services.models.rows([gone]) == {}
    tombstone = services.models.get(gone)
    assert tombstone.deleted and tombstone.revision == 2
    with pytest.raises(UserError, match="đã bị xóa"):
        services.models.delete(gone, by=STAFF)


def names(services: Services, flt: ModelFilter) -> list[str]:
    return [services.models.rows([i])[i].name for i in services.models.ids(flt)]


@pytest.fixture
def three(services: Services) -> Services:
    uid = unit_id(services)
    services.models.create_many(
        [
            sample_model(uid, name="Dân vận khéo trong xây dựng nông thôn mới"),
            sample_model(
                uid,
                name="Gương người có uy tín trong đồng bào dân tộc",
                subject_type=SubjectType.INDIVIDUAL,
                person_name="Lò Văn Hặc",
                field=Field.POLITICAL_SYSTEM,
                period_start=2021,
                period_end=2025,
            ),
            sample_model(
                uid, name="Tổ tự quản đường điện", village="Bản Hoà Bình", field=Field.OTHER
            ),
        ],
        by=STAFF,
    )
    return services


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dan van kheo", ["Dân vận khéo trong xây dựng nông thôn mới"]),
        ("DÂN VẬN KHÉO", ["Dân vận khéo trong xây dựng nông thôn mới"]),
        ("dong bao", ["Gương người có uy tín trong đồng bào dân tộc"]),
        ("lo van hac", ["Gương người có uy tín trong đồng bào dân tộc"]),
        ("hòa bình", ["Tổ tự quản đường điện"]),  # village written "Hoà"
        ("duong dien", ["Tổ tự quản đường điện"]),
        ("an", []),  # words start at a space: "an" is not inside "Hoà An"… or "dân"
        ("100%", []),
    ],
)
def test_search_ignores_case_diacritics_and_dd(
    three: Services, query: str, expected: list[str]
) -> None:
    assert names(three, ModelFilter(text=query)) == expected


def test_filters_and_counts(three: Services) -> None:
    assert three.models.count(ModelFilter(period=Period(2021, 2025))) == 1
    assert three.models.count(ModelFilter(field=Field.OTHER)) == 1
    assert three.models.count(ModelFilter(subject_type=SubjectType.INDIVIDUAL)) == 1
    assert three.models.count(ModelFilter(status=Status.REGISTERED)) == 3
    assert three.models.count(ModelFilter(status=Status.RECOGNISED)) == 0
    assert three.models.count(ModelFilter(unit_ids=(unit_id(three),))) == 3
    assert three.models.count(ModelFilter(unit_ids=())) == 0


def test_sorting(three: Services) -> None:
    ascending = names(three, ModelFilter())
    assert ascending[0].startswith("Dân vận")
    ids = three.models.ids(ModelFilter(), SortKey.NAME, descending=True)
    assert [three.models.rows([i])[i].name for i in ids] == ascending[::-1]
    by_period = three.models.ids(ModelFilter(), SortKey.PERIOD)
    assert three.models.rows(by_period[:1])[by_period[0]].period_start == 2021


def test_lifecycle_with_corrections(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    step = EventData(Status.IMPLEMENTING, dt.date(2026, 4, 1))
    assert services.models.add_event(model_id, step, by=STAFF, today=TODAY) is Status.IMPLEMENTING
    recognised = EventData(
        Status.RECOGNISED,
        dt.date(2026, 9, 1),
        deciding_body="Ban Thường vụ Đảng ủy xã",
        decision_number="15-QĐ/ĐU",
        decision_date=dt.date(2026, 9, 1),
    )
    services.models.add_event(model_id, recognised, by=STAFF, today=TODAY)
    with pytest.raises(EventError, match="không thể chuyển"):
        services.models.add_event(model_id, step, by=STAFF, today=TODAY)
    record = services.models.get(model_id)
    assert record.status is Status.RECOGNISED and record.revision == 3
    wrong = record.events[-1]
    fixed = EventData(
        Status.RECOGNISED,
        dt.date(2026, 9, 5),
        deciding_body="Ban Thường vụ Đảng ủy xã",
        decision_number="16-QĐ/ĐU",
    )
    with pytest.raises(EventError, match="lý do"):
        services.models.correct_event(wrong.id, fixed, reason=" ", by=STAFF, today=TODAY)
    services.models.correct_event(
        wrong.id, fixed, reason="Sai số quyết định", by=STAFF, today=TODAY
    )
    record = services.models.get(model_id)
    old, new = record.events[-2], record.events[-1]
    assert (
        old.is_void and old.void_reason == "Sai số quyết định" and old.decision_number == "15-QĐ/ĐU"
    )
    assert new.replaces_id == old.id and new.decision_number == "16-QĐ/ĐU"
    assert record.status is Status.RECOGNISED
    # Cancelling the recognition (no replacement) brings the status back a step.
    services.models.correct_event(new.id, None, reason="Chưa có quyết định", by=STAFF, today=TODAY)
    assert services.models.get(model_id).status is Status.IMPLEMENTING
    assert len(services.models.get(model_id).events) == 4  # nothing is ever removed


def test_stop_and_resume(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    stop = EventData(Status.STOPPED, dt.date(2026, 5, 1), note="Thiếu kinh phí")
    assert services.models.add_event(model_id, stop, by=STAFF, today=TODAY) is Status.STOPPED
    resume = EventData(Status.IMPLEMENTING, dt.date(2026, 6, 1))
    assert services.models.add_event(model_id, resume, by=STAFF, today=TODAY) is Status.IMPLEMENTING


def test_periods_offered(three: Services) -> None:
    assert three.models.periods()[:2] == [Period(2025, 2030), Period(2021, 2025)]


def test_a_period_held_only_by_deleted_models_is_not_offered(services: Services) -> None:
    unit = unit_id(services)
    kept = services.models.create(sample_model(unit, period_start=2031, period_end=2035), by=STAFF)
    gone = services.models.create(sample_model(unit, period_start=2036, period_end=2040), by=STAFF)
    services.models.create(sample_model(unit, period_start=2031, period_end=2035), by=STAFF)
    services.models.delete(gone, by=STAFF)
    services.models.delete(kept, by=STAFF)  # another live model still holds 2031–2035
    offered = services.models.periods()
    assert Period(2031, 2035) in offered
    assert Period(2036, 2040) not in offered


def test_step_dated_before_the_latest_is_refused(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    early = EventData(Status.STOPPED, dt.date(2026, 1, 5))  # registered on 2026-03-02
    with pytest.raises(EventError, match="trước bước “Đăng ký” ngày 02/03/2026"):
        services.models.add_event(model_id, early, by=STAFF, today=TODAY)
    record = services.models.get(model_id)
    assert record.status is Status.REGISTERED and record.revision == 1 and len(record.events) == 1


def test_correction_keeps_the_step_between_its_neighbours(services: Services) -> None:
    model_id = services.models.create(sample_model(unit_id(services)), by=STAFF, today=TODAY)
    services.models.add_event(
        model_id, EventData(Status.IMPLEMENTING, dt.date(2026, 4, 1)), by=STAFF, today=TODAY
    )
    services.models.add_event(
        model_id, EventData(Status.STOPPED, dt.date(2026, 6, 1)), by=STAFF, today=TODAY
    )
    middle = services.models.get(model_id).events[1]
    late = EventData(Status.IMPLEMENTING, dt.date(2026, 7, 1))
    with pytest.raises(EventError, match="sau bước “Dừng thực hiện”"):
        services.models.correct_event(middle.id, late, reason="Sai ngày", by=STAFF, today=TODAY)
    fixed = EventData(Status.IMPLEMENTING, dt.date(2026, 5, 1))
    services.models.correct_event(middle.id, fixed, reason="Sai ngày", by=STAFF, today=TODAY)
    assert services.models.get(model_id).status is Status.STOPPED


def test_count_and_pages_agree_with_the_full_list(services: Services) -> None:
    """The list's pages and the counts of "Hiển thị N / M" (quick paths for a search alone and
    for everything) say the same as reading every matching id."""
    own = services.installation.get().unit.id
    names = ["Dân vận khéo bản Mường", "Bản cam kết", "Dân vận khéo thôn Đồng", "Sân chơi bản"]
    ids = services.models.create_many([sample_model(own, name=n) for n in names], by=STAFF)
    services.models.delete(ids[0], by=STAFF)  # a tombstone matches the words but is not shown
    for text in ("", "ban", "dân vận", "b", "khéo 1", "zzz"):
        flt = ModelFilter(text=text)
        every = services.models.ids(flt, SortKey.NAME)
        assert services.models.count(flt) == len(every), text
        pages = [services.models.ids(flt, SortKey.NAME, offset=i, limit=2) for i in (0, 2, 4)]
        assert [i for page in pages for i in page] == every, text
    assert services.models.count() == 3

"""The package export reads plain SQLite rows (not ORM objects) for speed: every line it writes
must be exactly what `model_json` makes of the same model loaded through the ORM (the JSON the
import compares against), for every kind of value a model and its steps can hold."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from danvan_desktop.db.schema import Model, Unit
from danvan_desktop.domain import EventData, Status
from danvan_desktop.services import Services
from danvan_desktop.services.packages import _unit_refs
from danvan_desktop.sync import format as fmt
from danvan_desktop.sync.records import dumps, model_json
from tests.conftest import STAFF
from tests.helpers import sample_model

CREATED = dt.date(2026, 3, 1)
LATER = dt.date(2026, 6, 1)  # the steps come after the models' registration


def test_exported_lines_are_model_json_of_the_orm_objects(
    services: Services, tmp_path: Path
) -> None:
    home = services.installation.get().unit
    ids = services.models.create_many(
        [
            sample_model(home.id, name="Mô hình “Dân vận khéo”\nDòng hai: ươ ỹ Đ \\ \" \t"),
            sample_model(home.id, registered_on=None, start_date=None, evaluation_date=None,
                         is_new=False, ethnic_minority_area=False, notes="=1+1"),
            sample_model(home.id, name="Sẽ xoá"),
        ],
        by=STAFF,
        today=CREATED,
    )  # fmt: skip
    first, second, gone = ids
    # a decision with every field, a corrected step (void + replacement pointing back to it),
    # a step owned by the level above, and a tombstone
    services.models.add_event(
        first,
        EventData(Status.IMPLEMENTING, dt.date(2026, 3, 10), note="Ghi chú “bước”"),
        by=STAFF,
        today=LATER,
    )
    wrong = next(e for e in services.models.get(first).events if e.status is Status.IMPLEMENTING)
    services.models.correct_event(
        wrong.id,
        EventData(Status.IMPLEMENTING, dt.date(2026, 3, 12)),
        reason="nhầm ngày",
        by=STAFF,
        today=LATER,
    )
    services.models.add_event(
        first,
        EventData(Status.RECOGNISED, dt.date(2026, 4, 20), deciding_body="Ban Thường vụ",
                  decision_number="12-QĐ/ĐU", decision_date=dt.date(2026, 4, 21),
                  commendation_form="Giấy khen", commendation_level="Xã"),
        by=STAFF,
        today=LATER,
    )  # fmt: skip
    province = services.installation.get().reports_to
    assert province is not None
    services.models.add_event(
        second,
        EventData(Status.IMPLEMENTING, dt.date(2026, 4, 2)),
        by="Nguyễn Văn Tỉnh",
        today=LATER,
        owner_unit_id=province.id,
    )
    services.models.delete(gone, by=STAFF)

    result = services.packages.export_package(tmp_path)
    with zipfile.ZipFile(result.path) as archive:
        lines = archive.read(fmt.MODELS).decode("utf-8").splitlines(keepends=True)
    with services.db.session() as session:
        refs = _unit_refs(session)
        models = session.query(Model).join(Unit).order_by(Model.uuid).all()
        expected = [dumps(model_json(model, refs)) + "\n" for model in models]
        events = sum(len(model.events) for model in models)
    assert lines == expected
    assert len(lines) == 3 and events == 7
    assert result.counts["models"] == 2 and result.counts["tombstones"] == 1
    assert result.counts["events"] == events
    text = "".join(lines)
    assert '"replaces":"' in text and '"owner_unit":{' in text and '"deleted":true' in text

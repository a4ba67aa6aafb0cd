"""The search index (migration 0004): the search box finds through an FTS5 trigram table that
follows every write of a model's search words, with the same meaning as before (every word, as
the start of a word, diacritics and case ignored)."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from danvan_desktop.db.schema import SEARCH_TABLE
from danvan_desktop.services import Services, open_services
from danvan_desktop.services.models import ModelFilter
from tests.helpers import sample_model

STAFF = "Nguyễn Thị Hoa"


def found(services: Services, text: str) -> list[str]:
    ids = services.models.ids(ModelFilter(text=text))
    return sorted(row.name for row in services.models.rows(ids).values())


def index_rows(path: Path, text: str) -> int:
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute(
            f"SELECT count(*) FROM {SEARCH_TABLE} WHERE search_text MATCH ?", (f'"{text}"',)
        ).fetchone()
    return int(count)


def test_index_follows_create_edit_and_delete(services: Services) -> None:
    unit = services.installation.get().unit.id
    first, second = services.models.create_many(
        [
            sample_model(unit, name="Dân vận khéo trong chuyển đổi số"),
            sample_model(unit, name="Đồng bào giữ rừng đầu nguồn", village="Bản Huổi Chà"),
        ],
        by=STAFF,
    )
    path = services.db.path
    assert index_rows(path, " chuyen doi") == 1  # written by the bulk insert, folded
    assert found(services, "dan van kheo") == ["Dân vận khéo trong chuyển đổi số"]
    assert found(services, "ĐỒNG BÀO huổi") == ["Đồng bào giữ rừng đầu nguồn"]
    assert found(services, "an") == []  # a word's start only: not "vận", "đầu nguồn"
    assert found(services, "so") == ["Dân vận khéo trong chuyển đổi số"]  # two letters
    assert found(services, "d") == sorted(
        ["Dân vận khéo trong chuyển đổi số", "Đồng bào giữ rừng đầu nguồn"]
    )  # one letter: read by LIKE

    record = services.models.get(first)
    data = dataclasses.replace(record.data, name="Camera an ninh khu dân cư")
    services.models.update(first, data, expected_revision=record.revision, by=STAFF)
    assert index_rows(path, " chuyen doi") == 0  # the old words left the index
    assert found(services, "camera an ninh") == ["Camera an ninh khu dân cư"]
    assert found(services, "chuyen doi") == []

    services.models.delete(second, by=STAFF)
    assert found(services, "dong bao") == []


def test_search_text_is_never_query_syntax(services: Services) -> None:
    unit = services.installation.get().unit.id
    services.models.create(sample_model(unit, name='Bản cam kết "5 có, 5 không"'), by=STAFF)
    assert found(services, '"5 co') == ['Bản cam kết "5 có, 5 không"']
    for text in ('"', 'a" OR "b', "NEAR(x y)", "x*", "-", "(", "^co"):
        services.models.ids(ModelFilter(text=text))  # no FTS5 syntax error reaches the user


def test_upgrade_to_0004_indexes_the_models_already_there(db_path: Path) -> None:
    services = open_services(db_path)
    unit = services.units.by_code("03820").id
    services.installation.save(unit_id=unit, reports_to_id=None, staff_name=STAFF)
    services.models.create(sample_model(unit, name="Thu gom rác thải tại nguồn"), by=STAFF)
    services.close()
    with sqlite3.connect(db_path) as connection:  # the file as version 0003 left it
        for trigger in ("insert", "delete", "update"):
            connection.execute(f"DROP TRIGGER {SEARCH_TABLE}_{trigger}")
        connection.execute(f"DROP TABLE {SEARCH_TABLE}")
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    connection.close()
    services = open_services(db_path)
    try:
        assert found(services, "rac thai") == ["Thu gom rác thải tại nguồn"]
        assert index_rows(db_path, " rac thai") == 1
    finally:
        services.close()

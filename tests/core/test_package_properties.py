"""Laws of package import over generated histories of edits, deletes and exports: the order of
files does not matter, importing again changes nothing, and the province ends up with exactly
what the commune's newest file holds."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_package import Site, add_models

Op = tuple[str, int]
OPS = st.lists(
    st.one_of(
        st.just(("create", 0)),
        st.tuples(st.sampled_from(["edit", "delete", "export"]), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=8,
)


def _fresh(root: Path, template: Path, name: str, unit: str) -> Site:
    path = root / name / "danvan.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(template, path)
    return Site(path, unit, "Người thử")


def _play(
    site: Site, ops: list[Op], outbox: Path
) -> tuple[list[Path], dict[str, dict[str, object]]]:
    files: list[Path] = []
    state: dict[str, dict[str, object]] = {}
    for op, index in [*ops, ("export", 0)]:
        services = site.open()
        try:
            ids = sorted(services.models.ids())
        finally:
            services.close()
        if op == "create":
            add_models(site, 1)
        elif op in ("edit", "delete") and ids:
            model_id = ids[index % len(ids)]
            services = site.open()
            try:
                record = services.models.get(model_id)
                if op == "delete":
                    services.models.delete(model_id, by="Người thử")
                else:
                    data = record.data.__class__(
                        **{**record.data.__dict__, "notes": f"Sửa lần {record.revision}"}
                    )
                    services.models.update(
                        model_id, data, expected_revision=record.revision, by="Người thử"
                    )
            finally:
                services.close()
        elif op == "export":
            files.append(site.export(outbox))
            state = site.dump()
    return files, state


@settings(
    max_examples=20,
    derandomize=True,  # the same cases on every run: CI stays deterministic
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS, data=st.data())
def test_order_and_repetition_do_not_change_the_result(
    template_db: Path, ops: list[Op], data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        outbox = root / "outbox"
        outbox.mkdir()
        commune = _fresh(root, template_db, "commune", "03820")
        files, newest = _play(commune, ops, outbox)
        in_order = _fresh(root, template_db, "p1", "14")
        shuffled = _fresh(root, template_db, "p2", "14")
        for path in files:
            assert in_order.cli("package", "import", str(path), "--yes")[0] == 0
        order = data.draw(st.permutations(files))
        repeated = data.draw(st.lists(st.sampled_from(files), max_size=3))
        for path in [*order, *repeated]:
            assert shuffled.cli("package", "import", str(path), "--yes")[0] == 0
        assert in_order.dump() == shuffled.dump() == newest
        before = in_order.path.read_bytes()
        code, out, _ = in_order.cli("package", "import", *map(str, files), "--yes")
        assert code == 0 and "Không có tệp mới" in out
        assert in_order.path.read_bytes() == before

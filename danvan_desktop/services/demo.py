"""Realistic Vietnamese demo models, for screenshots and trials (`danvan demo-data`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from danvan_desktop.domain import (
    EventData,
    Field,
    Kind,
    ModelData,
    Status,
    SubjectType,
)
from danvan_desktop.services import Services

# (name, field, subject type) — names taken from provincial reports on the movement.
COLLECTIVE_MODELS: tuple[tuple[str, Field], ...] = (
    ("Du lịch cộng đồng ở bản", Field.ECONOMY),
    ("Nhóm liên gia tự quản", Field.DEFENSE_SECURITY),
    ("Bản cam kết “5 có, 5 không”", Field.CULTURE_SOCIETY),
    ("Toàn dân tham gia phòng chống tội phạm", Field.DEFENSE_SECURITY),
    ("Phòng chống ma túy tại cộng đồng", Field.DEFENSE_SECURITY),
    ("Trồng cây ăn quả trên đất dốc", Field.ECONOMY),
    ("Hiến đất làm đường giao thông nông thôn", Field.ECONOMY),
    ("Tổ tự quản đường điện", Field.CULTURE_SOCIETY),
    ("Chi hội phụ nữ “5 không 3 sạch”", Field.CULTURE_SOCIETY),
    ("Camera an ninh khu dân cư", Field.DEFENSE_SECURITY),
    ("Xây dựng chi bộ trong sạch vững mạnh", Field.POLITICAL_SYSTEM),
    ("Thu gom rác thải tại nguồn", Field.CULTURE_SOCIETY),
    ("Khuyến học khuyến tài", Field.CULTURE_SOCIETY),
    ("Dân vận khéo trong chuyển đổi số", Field.POLITICAL_SYSTEM),
    ("Tổ hợp tác nuôi ong lấy mật", Field.ECONOMY),
    ("Đồng bào dân tộc giữ rừng đầu nguồn", Field.DEFENSE_SECURITY),
    ("Tiếp công dân và đối thoại tại bản", Field.POLITICAL_SYSTEM),
    ("Câu lạc bộ văn nghệ dân gian Thái", Field.CULTURE_SOCIETY),
)
INDIVIDUAL_MODELS: tuple[tuple[str, Field, str, str], ...] = (
    (
        "Gương người có uy tín trong đồng bào dân tộc thiểu số",
        Field.POLITICAL_SYSTEM,
        "Lò Văn Hặc",
        "Người có uy tín bản",
    ),
    ("Bí thư chi bộ gần dân, sát dân", Field.POLITICAL_SYSTEM, "Quàng Thị Đào", "Bí thư chi bộ"),
    ("Nông dân sản xuất giỏi làm giàu chính đáng", Field.ECONOMY, "Cầm Văn Ơn", "Hội viên"),
    ("Công an viên bám bản", Field.DEFENSE_SECURITY, "Tòng Văn Quyết", "Công an viên"),
    ("Giáo viên vận động học sinh ra lớp", Field.CULTURE_SOCIETY, "Đặng Thị Hoà", "Giáo viên"),
)
VILLAGES = (
    "Bản Pá Khoang",
    "Bản Nà Luông",
    "Bản Huổi Chà",
    "Bản Phiêng Cại",
    "Bản Co Muông",
    "Bản Tà Sứ",
    "Tổ dân phố 2",
    "Thôn Đồng Tâm",
    "Bản Lướt",
    "Bản Đán",
)
FORCES = (
    "Chi bộ bản",
    "Ban công tác Mặt trận",
    "Chi hội Phụ nữ",
    "Chi đoàn Thanh niên",
    "Chi hội Nông dân",
    "Chi hội Cựu chiến binh",
    "Công an xã",
)


# Names for people and places, so a national-scale demo (the benchmark) is not 100,000 copies
# of ten villages and five people.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lò", "Quàng", "Cầm", "Tòng", "Lường", "Hà", "Sùng", "Giàng", "Thào", "Mùa", "Vàng", "Đinh",
)  # fmt: skip
MIDDLE_NAMES = ("Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Hữu", "Xuân", "Thu", "Quốc")
GIVEN_NAMES = (
    "Hặc", "Đào", "Ơn", "Quyết", "Hoà", "Hùng", "Lan", "Dũng", "Hương", "Thắng", "Mai", "Sơn",
    "Tuấn", "Nga", "Khánh", "Phương", "Chiến", "Yến", "Bình", "Thủy", "Sính", "Páo", "Chứ",
    "Dế", "Lả", "Ếch", "Ươm", "Nhung", "Cường", "Đông",
)  # fmt: skip
VILLAGE_KINDS = ("Bản", "Bản", "Thôn", "Thôn", "Tổ dân phố", "Xóm", "Ấp", "Buôn", "Làng")
VILLAGE_STEMS = (
    "Pá Khoang", "Nà Luông", "Huổi Chà", "Phiêng Cại", "Co Muông", "Tà Sứ", "Đồng Tâm", "Lướt",
    "Đán", "Hồng Phong", "Tân Lập", "Quyết Tiến", "Phú Mỹ", "An Hòa", "Bình Minh", "Đoàn Kết",
    "Thống Nhất", "Ea Sar", "Buôn Trấp", "Kon Klor", "Mường Tè", "Sín Chải", "Hòa Bình",
    "Thắng Lợi", "Cầu Ngang", "Vĩnh Phước", "Long Thạnh", "Bàu Trâm", "Khánh Hội", "Xuân Sơn",
)  # fmt: skip


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def village_names(rng: random.Random, count: int) -> list[str]:
    """`count` village names ("Bản Pá Khoang", "Tổ dân phố 3", "Thôn Đồng Tâm 2")."""
    names = []
    for _ in range(count):
        kind = rng.choice(VILLAGE_KINDS)
        if kind == "Tổ dân phố":
            names.append(f"{kind} {rng.randint(1, 25)}")
        else:
            number = f" {rng.randint(1, 5)}" if rng.random() < 0.2 else ""
            names.append(f"{kind} {rng.choice(VILLAGE_STEMS)}{number}")
    return names


def demo_models(
    unit_ids: Sequence[int],
    count: int,
    rng: random.Random,
    villages: Sequence[str] = VILLAGES,
) -> list[ModelData]:
    out: list[ModelData] = []
    # Deal names like cards, so a small demo does not repeat one name three times.
    collective: list[tuple[str, Field]] = []
    for index in range(count):
        village = rng.choice(villages)
        start, end = rng.choice(((2021, 2025), (2025, 2030), (2025, 2030)))
        registered = dt.date(start, rng.randint(1, 12), rng.randint(1, 28))
        lead, coordinating = rng.sample(FORCES, 2)
        if index % 5 == 4:
            name, fld, person, position = rng.choice(INDIVIDUAL_MODELS)
            if villages is not VILLAGES:  # a large demo: many people, not five
                person = person_name(rng)
            subject = SubjectType.INDIVIDUAL
            kind = Kind.EXEMPLAR
        else:
            if not collective:
                collective = rng.sample(COLLECTIVE_MODELS, len(COLLECTIVE_MODELS))
            name, fld = collective.pop()
            place = village[0].lower() + village[1:]  # "bản Nà Luông", "tổ dân phố 2"
            if name.endswith(" ở bản"):
                name = f"{name.removesuffix(' bản')} {place}"  # "… ở bản Đán", "… ở thôn Đồng Tâm"
            elif rng.random() < 0.5:
                name = f"{name} {place}"
            person = position = ""
            subject = SubjectType.COLLECTIVE
            kind = Kind.MODEL if rng.random() < 0.85 else Kind.EXEMPLAR
        out.append(
            ModelData(
                name=name,
                kind=kind,
                subject_type=subject,
                person_name=person,
                person_position=position,
                person_unit=f"{village}" if person else "",
                field=fld,
                unit_id=rng.choice(unit_ids),
                village=village,
                ethnic_minority_area=rng.random() < 0.7,
                period_start=start,
                period_end=end,
                is_new=rng.random() < 0.6,
                registered_on=registered,
                situation=(
                    f"{village} có {rng.randint(60, 240)} hộ, đời sống còn nhiều khó khăn; "
                    "một bộ phận người dân chưa tích cực tham gia các phong trào."
                ),
                goals="Nâng cao nhận thức và thu nhập của người dân; 100% hộ ký cam kết thực hiện.",
                content=(
                    "Tuyên truyền, vận động tại các buổi họp bản; đảng viên phụ trách từng hộ; "
                    "sơ kết, biểu dương gương điển hình hằng quý."
                ),
                target_area=f"{village}; các hộ gia đình trong bản",
                lead_forces=lead,
                coordinating_forces=coordinating,
                participating_forces="Nhân dân trong bản",
                resources="Ngân sách xã hỗ trợ, nhân dân đóng góp ngày công, xã hội hóa.",
                start_date=registered + dt.timedelta(days=30),
                schedule="Quý I: khảo sát; Quý II–III: triển khai; Quý IV: sơ kết.",
                evaluation_date=dt.date(end, 11, 30),
                outputs="Thu nhập bình quân tăng; an ninh trật tự giữ vững.",
                sustainability="Có thể nhân rộng ra các bản lân cận.",
            )
        )
    return out


_STEPS = (Status.IMPLEMENTING, Status.RECOGNISED, Status.EXEMPLARY, Status.COMMENDED)


def fill_demo_data(services: Services, count: int = 60, seed: int = 2026) -> int:
    """Add `count` demo models to the installation's unit (and the units below it, if any),
    each moved some way along its life. Returns how many were added."""
    rng = random.Random(seed)
    installation = services.installation.get()
    unit_ids = [installation.unit.id] + [
        u.id for u in services.units.children(installation.unit.id)
    ]
    by = installation.staff_name
    today = dt.date.today()
    ids = services.models.create_many(demo_models(unit_ids, count, rng), by=by, today=today)
    for model_id in ids:
        record = services.models.get(model_id)
        when = record.data.registered_on or today
        for step in _STEPS[: rng.choice((0, 1, 1, 2, 2, 3, 4))]:
            when = min(today, when + dt.timedelta(days=rng.randint(60, 200)))
            decided = step in (Status.RECOGNISED, Status.EXEMPLARY, Status.COMMENDED)
            services.models.add_event(
                model_id,
                EventData(
                    status=step,
                    event_date=when,
                    deciding_body="Ban Thường vụ Đảng ủy xã" if decided else "",
                    decision_number=f"{rng.randint(10, 250)}-QĐ/ĐU" if decided else "",
                    decision_date=when if decided else None,
                    commendation_form="Giấy khen" if step is Status.COMMENDED else "",
                    commendation_level="Cấp xã" if step is Status.COMMENDED else "",
                ),
                by=by,
                today=today,
            )
        if rng.random() < 0.05:
            services.models.add_event(
                model_id,
                EventData(
                    status=Status.STOPPED, event_date=today, note="Hộ dân chuyển đi nơi khác."
                ),
                by=by,
                today=today,
            )
    return len(ids)

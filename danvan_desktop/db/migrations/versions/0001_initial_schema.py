"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("directory", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("name_folded", sa.String(length=255), nullable=False),
        sa.Column("division_type", sa.String(length=50), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("directory", "code", name=op.f("uq_unit_directory_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index("ix_unit_name_folded", ["name_folded"], unique=False)
        batch_op.create_index("ix_unit_parent_id", ["parent_id"], unique=False)

    op.create_table(
        "model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("updated_by", sa.String(length=255), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("subject_type", sa.String(length=12), nullable=False),
        sa.Column("person_name", sa.String(length=255), nullable=False),
        sa.Column("person_position", sa.String(length=255), nullable=False),
        sa.Column("person_unit", sa.String(length=255), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("village", sa.String(length=255), nullable=False),
        sa.Column("ethnic_minority_area", sa.Boolean(), nullable=False),
        sa.Column("period_start", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.Integer(), nullable=False),
        sa.Column("is_new", sa.Boolean(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("target_area", sa.Text(), nullable=False),
        sa.Column("lead_forces", sa.Text(), nullable=False),
        sa.Column("coordinating_forces", sa.Text(), nullable=False),
        sa.Column("participating_forces", sa.Text(), nullable=False),
        sa.Column("resources", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("evaluation_date", sa.Date(), nullable=True),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("sustainability", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sort_name", sa.String(length=300), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_model_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model")),
        sa.UniqueConstraint("uuid", name=op.f("uq_model_uuid")),
    )
    with op.batch_alter_table("model", schema=None) as batch_op:
        batch_op.create_index("ix_model_deleted_sort_name", ["deleted", "sort_name"], unique=False)
        batch_op.create_index(
            "ix_model_deleted_updated_at", ["deleted", "updated_at"], unique=False
        )
        batch_op.create_index("ix_model_field", ["field"], unique=False)
        batch_op.create_index("ix_model_period", ["period_start", "period_end"], unique=False)
        batch_op.create_index("ix_model_status", ["status"], unique=False)
        batch_op.create_index("ix_model_unit_id", ["unit_id"], unique=False)

    op.create_table(
        "model_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("deciding_body", sa.String(length=255), nullable=False),
        sa.Column("decision_number", sa.String(length=255), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("commendation_form", sa.String(length=255), nullable=False),
        sa.Column("commendation_level", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("voided_by", sa.String(length=255), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["model.id"],
            name=op.f("fk_model_event_model_id_model"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["model_event.id"], name=op.f("fk_model_event_replaces_id_model_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_event")),
        sa.UniqueConstraint("uuid", name=op.f("uq_model_event_uuid")),
    )
    with op.batch_alter_table("model_event", schema=None) as batch_op:
        batch_op.create_index("ix_model_event_model_id", ["model_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_event", schema=None) as batch_op:
        batch_op.drop_index("ix_model_event_model_id")

    op.drop_table("model_event")
    with op.batch_alter_table("model", schema=None) as batch_op:
        batch_op.drop_index("ix_model_unit_id")
        batch_op.drop_index("ix_model_status")
        batch_op.drop_index("ix_model_period")
        batch_op.drop_index("ix_model_field")
        batch_op.drop_index("ix_model_deleted_updated_at")
        batch_op.drop_index("ix_model_deleted_sort_name")

    op.drop_table("model")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_parent_id")
        batch_op.drop_index("ix_unit_name_folded")

    op.drop_table("unit")
    op.drop_table("setting")

"""sync packages: export and import logs, owner of lifecycle events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("target_unit_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["target_unit_id"], ["unit.id"], name=op.f("fk_package_export_target_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_package_export_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_export")),
        sa.UniqueConstraint("unit_id", "sequence", name=op.f("uq_package_export_unit_id_sequence")),
    )
    op.create_table(
        "package_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_unit_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("package_created_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=255), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_unit_id"], ["unit.id"], name=op.f("fk_package_import_source_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_import")),
    )
    with op.batch_alter_table("package_import", schema=None) as batch_op:
        batch_op.create_index("ix_package_import_sha256", ["sha256"], unique=False)
    with op.batch_alter_table("model_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_unit_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_event", schema=None) as batch_op:
        batch_op.drop_column("owner_unit_id")
    with op.batch_alter_table("package_import", schema=None) as batch_op:
        batch_op.drop_index("ix_package_import_sha256")
    op.drop_table("package_import")
    op.drop_table("package_export")

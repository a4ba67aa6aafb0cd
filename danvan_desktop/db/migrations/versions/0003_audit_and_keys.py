"""audit log and the signing keys of units below

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("model_uuid", sa.String(length=36), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_entry_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_model_uuid", ["model_uuid"], unique=False)
    op.create_table(
        "unit_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_by", sa.String(length=255), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_key_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_key")),
    )
    with op.batch_alter_table("unit_key", schema=None) as batch_op:
        batch_op.create_index("ix_unit_key_unit_id", ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_key", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_key_unit_id")
    op.drop_table("unit_key")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_model_uuid")
        batch_op.drop_index("ix_audit_entry_at")
        batch_op.drop_index("ix_audit_entry_action")
    op.drop_table("audit_entry")

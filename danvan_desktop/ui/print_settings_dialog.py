"""The printing settings: header profile, header lines, addressee, place and signers.

Load / check / save: the dialog shows the stored values (or the defaults derived from the
installation), the service checks every value and the dialog stays open naming the faults.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.services import UserError
from danvan_desktop.services.print_settings import (
    HEADER_PROFILE_LABELS,
    LABELS,
    MULTILINE,
    HeaderProfile,
    PrintSettings,
    PrintSettingsService,
    print_settings_service,
)

from danvan_desktop.ui.context import UiContext

LINE_FIELDS = (
    "party_upper",
    "party_committee",
    "state_upper",
    "state_unit",
    "addressee",
    "place",
    "approver_title",
    "approver_name",
    "unit_signer_title",
    "unit_signer_name",
)
PLACEHOLDERS = {
    "party_upper": "ví dụ: ĐẢNG BỘ TỈNH SƠN LA",
    "party_committee": "ví dụ: ĐẢNG ỦY XÃ NGỌC CHIẾN",
    "state_upper": "có thể để trống",
    "state_unit": "ví dụ: ỦY BAN NHÂN DÂN XÃ NGỌC CHIẾN",
    "addressee": "ví dụ: Ban Tuyên giáo và Dân vận Tỉnh ủy Sơn La",
    "place": "ví dụ: Ngọc Chiến",
    "approver_name": "để trống nếu muốn ghi tay",
    "unit_signer_name": "để trống nếu muốn ghi tay",
}


class PrintSettingsDialog(QDialog):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thiết lập in ấn")
        self._context = context
        self._service: PrintSettingsService = print_settings_service(context.services)
        self.saved: PrintSettings | None = None

        self.profile = QComboBox()
        for profile in HeaderProfile:
            self.profile.addItem(HEADER_PROFILE_LABELS[profile], profile.value)
        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        for name in LINE_FIELDS:
            if name in MULTILINE:
                text_edit = QPlainTextEdit()
                text_edit.setTabChangesFocus(True)
                text_edit.setFixedHeight(text_edit.fontMetrics().lineSpacing() * 3 + 12)
                text_edit.setToolTip("Mỗi dòng in thành một dòng (tối đa 3 dòng).")
                edit: QLineEdit | QPlainTextEdit = text_edit
            else:
                line_edit = QLineEdit()
                line_edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
                edit = line_edit
            self.edits[name] = edit

        header = QGroupBox("Tiêu đề văn bản")
        header_form = QFormLayout(header)
        header_form.addRow(LABELS["header_profile"], self.profile)
        for name in ("party_upper", "party_committee", "state_upper", "state_unit"):
            header_form.addRow(LABELS[name], self.edits[name])
        body = QGroupBox("Nơi gửi, địa danh")
        body_form = QFormLayout(body)
        body_form.addRow(LABELS["addressee"], self.edits["addressee"])
        body_form.addRow(LABELS["place"], self.edits["place"])
        signers = QGroupBox("Người ký")
        signer_form = QFormLayout(signers)
        for name in ("approver_title", "approver_name", "unit_signer_title", "unit_signer_name"):
            signer_form.addRow(LABELS[name], self.edits[name])

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Lưu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.defaults_button = QPushButton("Lấy theo đơn vị")
        self.defaults_button.setToolTip("Điền lại các giá trị mặc định suy ra từ đơn vị")
        self.buttons.addButton(self.defaults_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.defaults_button.clicked.connect(lambda: self.load(self._service.defaults()))
        self.profile.currentIndexChanged.connect(self._profile_changed)

        layout = QVBoxLayout(self)
        for widget in (header, body, signers, self.error_label, self.buttons):
            layout.addWidget(widget)
        self.load(self._service.get())
        self.resize(640, self.sizeHint().height())

    def load(self, settings: PrintSettings) -> None:
        self.profile.setCurrentIndex(self.profile.findData(settings.header_profile.value))
        for name, edit in self.edits.items():
            value = getattr(settings, name)
            if isinstance(edit, QPlainTextEdit):
                edit.setPlainText(value)
            else:
                edit.setText(value)
        self._profile_changed()

    def values(self) -> PrintSettings:
        texts = {
            name: edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
            for name, edit in self.edits.items()
        }
        return PrintSettings(header_profile=HeaderProfile(self.profile.currentData()), **texts)

    def _profile_changed(self) -> None:
        party = self.profile.currentData() == HeaderProfile.PARTY.value
        for name in ("party_upper", "party_committee"):
            self.edits[name].setEnabled(party)
        for name in ("state_upper", "state_unit"):
            self.edits[name].setEnabled(not party)

    def accept(self) -> None:
        try:
            self.saved = self._service.save(self.values())
        except UserError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        super().accept()

"""The mapping file (TOML): which Notes forms are outgoing or incoming documents, and which items
give each field; and which Notes names are which VanThu users.

    [forms."VanBanDi"]
    register = "outgoing"          # or "incoming"; a form not listed stays a legacy record only
    number = "SoVB"                # the item holding the number (15), or the symbol's leading digits
    symbol = "SoKyHieu"            # "15-CV/ĐU"
    date = "NgayBanHanh"
    doc_type = "LoaiVB"            # an item whose value is a type's symbol or name ("CV", "Công văn")
    default_doc_type = "CV"        # when the item is empty or missing
    issuer = "CoQuanBanHanh"
    subject = "TrichYeu"
    signer = "NguoiKy"
    recipients = "NoiNhan"
    confidentiality = "DoMat"      # refused unless ordinary (invariant 5)
    incoming_number = "SoDen"      # incoming only
    received = "NgayDen"           # incoming only
    term = "2015-2020"             # the committee term of the register the numbers belong to

    [names]
    "CN=Nguyễn Văn An/OU=VP/O=DUK" = "nva"
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .dxl import Note

REGISTERS = ("outgoing", "incoming")
FIELDS = ("number", "symbol", "date", "doc_type", "issuer", "subject", "signer", "recipients", "confidentiality",
          "incoming_number", "received", "attachments")
SETTINGS = ("register", "default_doc_type", "term")
# Items that mark a Notes document's classification in the forms offices used; checked even
# without a mapping (ARCHITECTURE invariant 5: every entry point).
MARKING_ITEMS = ("DoMat", "Do_Mat", "MucDoMat", "DoBaoMat", "Confidentiality", "Classification", "SecurityLevel")


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class FormMapping:
    form: str
    register: str
    items: dict[str, str]
    default_doc_type: str = ""
    term: str = ""

    def item(self, field_name: str) -> str:
        return self.items.get(field_name, "")


@dataclass
class Mapping:
    forms: dict[str, FormMapping] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # Notes canonical name → VanThu username
    # Document types found for a value during one run (a query per mapped note otherwise).
    types: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def for_form(self, form: str) -> FormMapping | None:
        return self.forms.get(form.casefold())


def parse_mapping(text: str) -> Mapping:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"mapping file is not valid TOML: {exc}") from None
    forms = {}
    for form, spec in (data.get("forms") or {}).items():
        if not isinstance(spec, dict):
            raise MappingError(f"[forms.{form}] must be a table")
        register = spec.get("register", "")
        if register not in REGISTERS:
            raise MappingError(f"[forms.{form}] register must be one of {', '.join(REGISTERS)}, not {register!r}")
        unknown = set(spec) - set(FIELDS) - set(SETTINGS)
        if unknown:
            raise MappingError(f"[forms.{form}] unknown keys: {', '.join(sorted(unknown))}")
        if not (spec.get("doc_type") or spec.get("default_doc_type")):
            raise MappingError(f"[forms.{form}] needs doc_type (an item) or default_doc_type (a type symbol)")
        if not spec.get("subject"):
            raise MappingError(f"[forms.{form}] needs subject (the item holding the subject line)")
        items = {k: str(v) for k, v in spec.items() if k in FIELDS}
        forms[form.casefold()] = FormMapping(form=form, register=register, items=items,
                                             default_doc_type=str(spec.get("default_doc_type", "")),
                                             term=str(spec.get("term", "")))
    names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
    return Mapping(forms=forms, names=names)


def load_mapping(path: str | Path | None) -> Mapping:
    if not path:
        return Mapping()
    return parse_mapping(Path(path).read_text(encoding="utf-8"))


# --- a starting mapping from what an export holds ---------------------------------------------------

# Words in item names that usually say what the item holds (Vietnamese offices' forms, and Notes').
_GUESSES = {
    "number": ("sovb", "so_vb", "sovanban", "so"),
    "symbol": ("sokyhieu", "kyhieu", "so_ky_hieu", "symbol"),
    "date": ("ngaybanhanh", "ngayvb", "ngayky", "ngay", "date"),
    "doc_type": ("loaivb", "loaivanban", "loai"),
    "issuer": ("coquanbanhanh", "noiban", "noigui", "coquangui", "donvi"),
    "subject": ("trichyeu", "subject", "tieude", "noidung"),
    "signer": ("nguoiky", "signer"),
    "recipients": ("noinhan", "sendto", "recipients"),
    "confidentiality": tuple(n.casefold() for n in MARKING_ITEMS),
    "incoming_number": ("soden",),
    "received": ("ngayden",),
}


class Survey:
    """Forms and their items seen in an export, for `--suggest-mapping`."""

    def __init__(self) -> None:
        self.forms: Counter[str] = Counter()
        self.items: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, note: Note) -> None:
        self.forms[note.form] += 1
        for item in note.items:
            self.items[note.form][item["name"]] += 1

    def suggest(self) -> str:
        lines = ["# Bảng ánh xạ gợi ý: sửa lại trước khi nhập / a suggested mapping: review before importing.",
                 "# register = \"outgoing\" (văn bản đi) | \"incoming\" (văn bản đến); remove a form to keep it as",
                 "# legacy records only.", ""]
        for form, count in self.forms.most_common():
            names = list(self.items[form])
            guessed = {f: _guess(f, names) for f in _GUESSES}
            register = "incoming" if guessed["incoming_number"] or "den" in form.casefold() else "outgoing"
            lines.append(f"# {count} văn bản; các trường: {', '.join(names)}")
            lines.append(f"[forms.{_key(form)}]")
            lines.append(f'register = "{register}"')
            for f, found in guessed.items():
                if f in ("incoming_number", "received") and register == "outgoing":
                    continue
                if found:
                    lines.append(f'{f} = "{found}"')
                elif f == "doc_type":
                    lines.append('default_doc_type = "CV"')
            lines.append("")
        lines.append("[names]")
        lines.append('# "CN=Nguyễn Văn An/OU=VP/O=DUK" = "tên đăng nhập"')
        return "\n".join(lines) + "\n"


def _key(form: str) -> str:
    return form if form.replace("_", "").isalnum() and form.isascii() else '"' + form.replace('"', '\\"') + '"'


def _guess(field_name: str, names: list[str]) -> str:
    folded = {n.casefold().replace(" ", ""): n for n in names if not n.startswith("$")}
    for word in _GUESSES[field_name]:
        if word in folded:
            return folded[word]
    return ""

"""The zh-CN catalogs of the core, every plugin, theme and example are merged into one per
language, so a msgid must read the same in all of them: otherwise whichever catalog merges
last changes the others' pages (a console column would read as a checkout label)."""

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("core", "plugins", "themes", "examples")


def test_one_msgid_one_translation_across_all_catalogs():
    first: dict[str, tuple[str, str]] = {}
    clashes = []
    catalogs = sorted(po for folder in FOLDERS for po in (ROOT / folder).rglob("zh_CN/LC_MESSAGES/*.po"))
    assert len(catalogs) >= 5
    for po in catalogs:
        with po.open("rb") as fh:
            for message in read_po(fh, locale="zh_CN"):
                if not isinstance(message.id, str) or not message.id or not message.string:
                    continue
                where = str(po.relative_to(ROOT))
                seen = first.setdefault(message.id, (where, message.string))
                if seen[1] != message.string:
                    clashes.append(f"{message.id!r}: {seen[1]!r} in {seen[0]}, {message.string!r} in {where}")
    assert clashes == []

"""``case LOAN --export PATH``: a self-contained case file to hand to a debt adviser, a
regulator's complaint line or a court (SPEC §8).

The bundle holds a printable ``index.html`` in the config's locale, ``case.json``, every
receipt, agreement and attachment under ``files/`` with a safe form of its original name,
and ``SHA256SUMS`` in the format ``sha256sum -c`` checks. It is built in a temporary folder
next to PATH and renamed into place (a ``.zip`` is written to a temporary file and renamed),
so PATH never holds half a case file.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from reminderd.errors import RuntimeFailure, UserError
from reminderd.model import Config
from reminderd.text import money as shown_money  # CN¥ / JP¥ told apart in each locale

MAX_NAME = 120
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')

_TEXTS = {
    "en": {
        "title": "Case file: {name}",
        "lender": "Lender",
        "as_of": "As of",
        "version_now": "Plan version in force",
        "late": "Days late",
        "cost": "Estimated cost of being late so far",
        "per_day": "Each further day adds",
        "paid": "Paid",
        "outstanding": "Still owed",
        "rolled": "Rolled into an agreement",
        "versions": "Agreements",
        "version": "Version",
        "from": "In force from",
        "note": "Note",
        "document": "Document",
        "original": "original plan",
        "timeline": "Timeline",
        "when": "When",
        "what": "What",
        "details": "Details",
        "files": "Files",
        "checksums": "Every file is listed with its SHA-256 in SHA256SUMS (check: sha256sum -c "
        "SHA256SUMS).",
        "kinds": {
            "agreement": "Agreement",
            "due": "Due",
            "payment": "Payment",
            "undo": "Reversal",
            "note": "Contact",
            "reminder": "Reminder sent",
        },
        "status": {
            "settled": "paid",
            "late": "paid late",
            "overdue": "missed, unpaid",
            "upcoming": "not yet due",
            "superseded": "replaced by a later agreement",
            "rolled": "rolled into the agreement",
        },
        "contacts": {},
        "undo_payment": "reversal of payment {id}",
        "undo_note": "reversal of note {id}",
        "reminder_kinds": {},
    },
    "zh": {
        "title": "案件材料：{name}",
        "lender": "出借方",
        "as_of": "截至",
        "version_now": "当前有效的还款方案",
        "late": "逾期天数",
        "cost": "预计罚息及违约金（至今）",
        "per_day": "每多逾期一天增加",
        "paid": "已还",
        "outstanding": "尚欠",
        "rolled": "并入协议的金额",
        "versions": "协议",
        "version": "版本",
        "from": "生效日期",
        "note": "说明",
        "document": "文件",
        "original": "原始方案",
        "timeline": "时间线",
        "when": "时间",
        "what": "事项",
        "details": "详情",
        "files": "文件",
        "checksums": "所有文件及其 SHA-256 均列于 SHA256SUMS（校验：sha256sum -c SHA256SUMS）。",
        "kinds": {
            "agreement": "协议",
            "due": "到期",
            "payment": "还款",
            "undo": "撤销",
            "note": "沟通记录",
            "reminder": "已发送提醒",
        },
        "status": {
            "settled": "已还清",
            "late": "逾期后还清",
            "overdue": "逾期未还",
            "upcoming": "未到期",
            "superseded": "已被新协议取代",
            "rolled": "已并入新协议",
        },
        "contacts": {
            "call": "电话",
            "message": "短信/消息",
            "letter": "信件",
            "visit": "上门",
            "agreement": "协议",
            "other": "其他",
        },
        "undo_payment": "撤销第 {id} 笔还款",
        "undo_note": "撤销第 {id} 条记录",
        "reminder_kinds": {"ahead": "到期前提醒", "due": "到期日提醒", "overdue": "逾期提醒"},
    },
}


def safe_name(name: str) -> str:
    """A form of ``name`` safe on every file system and in ``SHA256SUMS``: NFC, no path
    separators, control or reserved characters, no leading dot, at most 120 characters; the
    script (Chinese, accents) is kept."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip().lstrip(".")
    cleaned = cleaned or "file"
    if len(cleaned) > MAX_NAME:
        stem, dot, suffix = cleaned.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 10 else ""
        cleaned = cleaned[: MAX_NAME - len(keep)] + keep
    return cleaned


def write(path: Path, content: dict[str, Any], sources: Mapping[str, Path], config: Config) -> Path:
    """Write the bundle of ``content`` at ``path`` (a folder, or a ``.zip``) and return it.

    ``sources`` maps each SHA-256 the content names to its stored copy. Raises ``UserError``
    when PATH already exists (a non-empty folder, or a file), ``RuntimeFailure`` when a file
    cannot be read or written.
    """
    as_zip = path.suffix.lower() == ".zip"
    if as_zip and path.exists():
        raise UserError.said("export.zip_exists", path=path)
    if not as_zip and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UserError.said("export.folder_exists", path=path)
    parent = path.absolute().parent
    if not parent.is_dir():
        raise UserError.said("export.no_folder", path=parent)
    try:
        work = Path(tempfile.mkdtemp(prefix=".case-", dir=parent))
    except OSError as error:
        raise RuntimeFailure.said(
            "export.cannot_write_in", path=parent, reason=error.strerror
        ) from error
    try:
        bundle = work / (path.stem if as_zip else "bundle")
        bundle.mkdir()
        _fill(bundle, content, sources, config)
        if as_zip:
            temp_zip = work / "case.zip"
            with zipfile.ZipFile(temp_zip, "w", zipfile.ZIP_DEFLATED) as archive:
                for item in sorted(bundle.rglob("*")):
                    archive.write(item, Path(bundle.name) / item.relative_to(bundle))
            os.replace(temp_zip, path)
        elif path.exists():
            path.rmdir()  # empty, checked above
            os.replace(bundle, path)
        else:
            os.replace(bundle, path)
    except OSError as error:
        reason = error.strerror or error
        raise RuntimeFailure.said("export.cannot_write", path=path, reason=reason) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def _fill(
    bundle: Path, content: dict[str, Any], sources: Mapping[str, Path], config: Config
) -> None:
    """Copy the files, write case.json, index.html and SHA256SUMS into ``bundle``."""
    files_dir = bundle / "files"
    placed: dict[tuple[str, str], str] = {}  # (sha256, original name) → path in the bundle
    taken: set[str] = set()
    for item in _file_entries(content):
        key = (item["sha256"], item["name"])
        if key not in placed:
            source = sources.get(item["sha256"])
            if source is None or not source.is_file():
                raise RuntimeFailure.said(
                    "export.copy_missing", name=item["name"], digest=item["sha256"][:12]
                )
            name = _unique(safe_name(item["name"]), taken)
            files_dir.mkdir(exist_ok=True)
            shutil.copyfile(source, files_dir / name)
            placed[key] = f"files/{name}"
        item["path"] = placed[key]
    (bundle / "case.json").write_text(
        json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (bundle / "index.html").write_text(render_html(content, config.locale), encoding="utf-8")
    lines = []
    for item in sorted(bundle.rglob("*")):
        if item.is_file():
            digest = hashlib.sha256(item.read_bytes()).hexdigest()
            lines.append(f"{digest}  {item.relative_to(bundle).as_posix()}\n")
    (bundle / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")


def _file_entries(content: dict[str, Any]) -> list[dict[str, Any]]:
    entries = [v["document"] for v in content["versions"] if v["document"]]
    for event in content["events"]:
        entries.extend(event.get("files", []))
    return entries


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    stem, dot, suffix = name.rpartition(".")
    while candidate.lower() in taken:
        candidate = f"{stem}-{counter}.{suffix}" if dot else f"{name}-{counter}"
        counter += 1
    taken.add(candidate.lower())
    return candidate


def render_html(content: dict[str, Any], locale: str, *, bundle: bool = True) -> str:
    """The printable ``index.html`` of the case file, in ``locale`` (en or zh_CN). With
    ``bundle=False`` (the live page's view, which has no SHA256SUMS beside it) the line
    about checking the bundle is left out."""
    from reminderd.messages import language

    lang = language(locale)
    text = _TEXTS[lang]
    loan = content["loan"]
    currency = loan["currency"]
    esc = html.escape

    def cash(value: str) -> str:
        return esc(shown_money(Decimal(value), currency, locale))

    def files(items: list[dict[str, Any]]) -> str:
        # A link only where the bundle holds the file (the served case lists, never links).
        return " ".join(
            (
                f'<a href="{esc(item["path"])}">{esc(item["name"])}</a> '
                if item.get("path")
                else f"{esc(item['name'])} "
            )
            + f"<code>{esc(item['sha256'][:16])}…</code>"
            for item in items
        )

    cost = content["overdue"]
    summary = [
        (text["lender"], esc(loan["lender"] or "—")),
        (text["as_of"], esc(content["as_of"])),
        (text["version_now"], str(loan["version"])),
        (text["paid"], cash(content["standing"]["paid"])),
        (text["outstanding"], cash(content["standing"]["outstanding"])),
        (text["rolled"], cash(content["standing"]["rolled"])),
        (text["late"], str(cost["days"])),
        (text["cost"], cash(cost["cost"])),
        (text["per_day"], cash(cost["per_day"])),
    ]
    versions = "".join(
        f"<tr><td>v{item['version']}</td><td>{esc(item['on'] or text['original'])}</td>"
        f"<td>{esc(item['note'] or '')}</td>"
        f"<td>{files([item['document']]) if item['document'] else ''}</td></tr>"
        for item in content["versions"]
    )
    rows = "".join(
        f'<tr class="{esc(event["kind"])}"><td>{esc(event["at"][:16].replace("T", " "))}</td>'
        f"<td>{esc(text['kinds'][event['kind']])}</td>"
        f"<td>{_details(event, text, cash)}</td>"
        f"<td>{files(event.get('files', []))}</td></tr>"
        for event in content["events"]
    )
    title = esc(text["title"].format(name=f"{loan['name']} ({loan['id']})"))
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #111; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }}
th, td {{ border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
tr.agreement td {{ background: #eef6ee; font-weight: bold; }}
tr.payment td {{ background: #f3f7ff; }}
tr.reminder td {{ color: #555; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }}
dt {{ font-weight: bold; }}
@media print {{ body {{ margin: 0; }} a {{ color: inherit; }} }}
</style>
</head>
<body>
<h1>{title}</h1>
<dl>{"".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in summary)}</dl>
<h2>{esc(text["versions"])}</h2>
<table><tr><th>{esc(text["version"])}</th><th>{esc(text["from"])}</th>
<th>{esc(text["note"])}</th><th>{esc(text["document"])}</th></tr>{versions}</table>
<h2>{esc(text["timeline"])}</h2>
<table><tr><th>{esc(text["when"])}</th><th>{esc(text["what"])}</th>
<th>{esc(text["details"])}</th><th>{esc(text["files"])}</th></tr>{rows}</table>
{f"<p>{esc(text['checksums'])}</p>" if bundle else ""}
</body>
</html>
"""


def _details(event: dict[str, Any], text: dict[str, Any], cash: Any) -> str:
    esc = html.escape
    kind = event["kind"]
    if kind == "agreement":
        return f"v{event['version']}: {esc(event['text'] or '')}"
    if kind == "due":
        label = f"{event['number']}/{event['of']}" if event["of"] else str(event["number"])
        shown = "late" if event["status"] == "settled" and event.get("met") is False else None
        status = text["status"].get(shown or event["status"], event["status"])
        return (
            f"v{event['version']} {esc(label)}: {cash(event['amount'])} "
            f"({cash(event['paid'])} {esc(text['paid'])}) — {esc(status)}"
        )
    if kind == "payment":
        return f"#{event['id']} {cash(event['amount'])} {esc(event['text'] or '')}"
    if kind == "undo":
        if "payment" in event:
            return esc(text["undo_payment"].format(id=event["payment"]))
        return esc(text["undo_note"].format(id=event["note"]))
    if kind == "note":
        who = f"{event['who']}: " if event["who"] else ""
        contact = text["contacts"].get(event["contact"], event["contact"])
        return f"[{esc(contact)}] {esc(who)}{esc(event['text'])}"
    reminder = text["reminder_kinds"].get(event["reminder"], event["reminder"])
    return esc(f"{event['channel']} · {reminder} · #{event['number']}")

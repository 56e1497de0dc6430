"""Receipts kept with payments: checked before anything is written, then copied into
``state_dir/receipts`` under their content hash.

The stored name is ``<sha256><suffix>``, the suffix taken from the original name only when it
is short and plain (``.pdf``, ``.jpg``), so no name a user gives can escape the directory or
collide; the original name, in any script, is kept in the ledger.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reminderd.errors import RuntimeFailure, UserError
from reminderd.platform import files

try:  # POSIX; on Windows receipts are stored without the sweep's lock (see sweep)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MAX_RECEIPT_BYTES = 50 * 1024 * 1024
RECEIPTS_DIR = "receipts"
_PLAIN_SUFFIX = re.compile(r"\.[a-z0-9]{1,10}")
_CHUNK = 1024 * 1024
_STORED = re.compile(r"[0-9a-f]{64}(\.[a-z0-9]{1,10})?")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """A receipt file that passed :func:`check`: where it is and what it is called."""

    source: Path
    name: str  # the original file name, as given
    size: int


@dataclass(frozen=True)
class StoredReceipt:
    sha256: str
    path: Path
    created: bool  # False when the same content was already stored


def check(text: str) -> Receipt:
    """Check that ``text`` names a readable regular file of at most 50 MB.

    Raises ``UserError`` (one readable line) otherwise; nothing is written.
    """
    source = Path(text).expanduser()
    try:
        info = source.stat()
    except FileNotFoundError:
        raise UserError.said("receipt.not_found", text=text) from None
    except OSError as error:
        raise UserError.said("receipt.unreadable", text=text, reason=error.strerror) from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError.said("receipt.directory", text=text)
    if not stat.S_ISREG(info.st_mode):
        raise UserError.said("receipt.not_regular", text=text)
    if info.st_size > MAX_RECEIPT_BYTES:
        raise UserError.said(
            "receipt.too_large",
            text=text,
            size=info.st_size // (1024 * 1024),
            limit=MAX_RECEIPT_BYTES // (1024 * 1024),
        )
    try:
        with source.open("rb") as stream:
            stream.read(1)
    except OSError as error:
        raise UserError.said("receipt.unreadable", text=text, reason=error.strerror) from None
    return Receipt(source=source, name=source.name, size=info.st_size)


def stored_name(sha256: str, original_name: str) -> str:
    """``<sha256><suffix>``: the original suffix, lowercased, only when it is plain."""
    suffix = Path(original_name).suffix.lower()
    return sha256 + (suffix if _PLAIN_SUFFIX.fullmatch(suffix) else "")


def store(state_dir: Path, receipt: Receipt) -> StoredReceipt:
    """Copy ``receipt`` into ``state_dir/receipts`` by content hash: a temporary file,
    fsync, rename, so a crash never leaves half a receipt under its final name.

    Raises ``RuntimeFailure`` when the copy cannot be written.
    """
    folder = state_dir / RECEIPTS_DIR
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = hashlib.sha256()
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".incoming-")
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as target, receipt.source.open("rb") as source:
                copied = 0
                while chunk := source.read(_CHUNK):
                    copied += len(chunk)
                    if copied > MAX_RECEIPT_BYTES:
                        raise UserError(f"the receipt {receipt.source} grew beyond 50 MB")
                    digest.update(chunk)
                    target.write(chunk)
                target.flush()
                os.fsync(target.fileno())
            sha = digest.hexdigest()
            final = folder / stored_name(sha, receipt.name)
            created = not final.exists()
            if created:
                os.replace(temp, final)
                _fsync_dir(folder)
            else:
                temp.unlink()
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as error:
        raise RuntimeFailure(
            f"cannot store the receipt in {folder}: {error.strerror or error}; nothing was recorded"
        ) from error
    return StoredReceipt(sha256=sha, path=final, created=created)


@contextlib.contextmanager
def writing(state_dir: Path) -> Iterator[None]:
    """Hold a shared lock on the ``receipts`` folder itself (no lock file to leave behind)
    while a receipt is copied and its payment committed: :func:`sweep` takes it exclusively,
    so it never removes a copy in progress or a receipt whose payment is about to be
    recorded. A killed ``pay`` releases it with its process.

    Raises ``RuntimeFailure`` when the receipts folder cannot be made or opened.
    """
    if fcntl is None:  # Windows: no sweep runs there, so nothing to hold off
        yield
        return
    descriptor = _open_lock(state_dir)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def sweep(state_dir: Path, conn: sqlite3.Connection) -> int:
    """Remove what a killed ``pay`` left in ``state_dir/receipts``: ``.incoming-*``
    temporary copies, and stored receipts no payment in the ledger ``conn`` refers to (a kill
    between the rename and the commit). Skipped, returning 0, while another ``pay`` is
    storing one (it holds :func:`writing`); returns how many files were removed. A file
    that cannot be removed is left for the next time (logged), never an error.
    """
    folder = state_dir / RECEIPTS_DIR
    if fcntl is None or not folder.is_dir():  # without flock a sweep could race a pay
        return 0
    try:
        descriptor = _open_lock(state_dir)
    except UserError:
        return 0
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0
        referenced = _referenced(conn)
        removed = 0
        for entry in os.scandir(folder):
            stale = entry.name.startswith(".incoming-") or (
                _STORED.fullmatch(entry.name) is not None and entry.name[:64] not in referenced
            )
            if not stale or not entry.is_file(follow_symlinks=False):
                continue
            try:
                os.unlink(entry.path)
                removed += 1
            except OSError as error:
                log.warning("cannot remove the leftover receipt file %s: %s", entry.path, error)
        return removed
    finally:
        os.close(descriptor)


def _referenced(conn: sqlite3.Connection) -> set[str]:
    """The hashes of every stored file the ledger refers to: payments' receipts, notes'
    attachments and agreement documents (the last two from schema version 3 on)."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    queries = ["SELECT receipt_sha256 FROM payments WHERE receipt_sha256 IS NOT NULL"]
    if "note_files" in tables:
        queries.append("SELECT sha256 FROM note_files")
    if "documents" in tables:
        queries.append("SELECT sha256 FROM documents")
    return {str(sha) for query in queries for (sha,) in conn.execute(query)}


def _open_lock(state_dir: Path) -> int:
    folder = state_dir / RECEIPTS_DIR
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise RuntimeFailure(
            f"cannot use the receipts folder {folder}: {error.strerror or error}; "
            "nothing was recorded"
        ) from error


def _fsync_dir(folder: Path) -> None:
    files.sync_directory(folder)

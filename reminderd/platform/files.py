"""File calls that differ between POSIX and Windows, kept in one place."""

from __future__ import annotations

import os


def set_mode(fileno: int, mode: int) -> None:
    """Give the open file ``fileno`` the permission bits ``mode`` where the platform has them.

    Windows has no POSIX modes and Python before 3.13 has no ``os.fchmod`` there: access is
    governed by the folder's ACL (the user's own profile), so nothing is done.
    """
    fchmod = getattr(os, "fchmod", None)
    if fchmod is None or os.name == "nt":
        return
    fchmod(fileno, mode)


def open_to_others(mode: int, *, os_name: str = os.name) -> bool:
    """Return whether the permission bits ``mode`` let the group or others in.

    On Windows ``st_mode`` always reads 0o666 or 0o444 whatever the ACL says, so the bits
    cannot tell; a file in the user's profile is private by the profile's ACL, and the
    answer is False rather than a refusal no ``chmod`` could fix.
    """
    if os_name == "nt":
        return False
    return bool(mode & 0o077)


def sync_directory(folder: str | os.PathLike[str]) -> None:
    """Flush a rename in ``folder`` to disk. Windows cannot open a folder as a file (NTFS
    journals the rename itself), so nothing is done there. Raises OSError elsewhere."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

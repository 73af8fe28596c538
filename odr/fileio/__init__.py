"""Writing files safely, one way for every writer: atomic replacement, fingerprints, and cells a
spreadsheet shows as text.

A file odr writes (a report, the ledger, its backup) goes to a hidden temporary file in the same
folder first, reaches the disk (fsync), takes the permissions the old file had (or the umask's),
and then replaces the target in one step (``os.replace``): a crash or a full disk leaves the old
file whole and no half-written one behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

# A cell starting with one of these runs as a formula in Excel, LibreOffice and Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula.

    A cell starting with = + - @, a tab or a carriage return gets a leading apostrophe (OWASP's
    advice). A cell odr neutralized on an earlier run starts with that apostrophe, so it is
    left alone: running twice never stacks apostrophes. Nothing else in the text changes."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def sha256_of(path: Path) -> str:
    """The file's SHA-256, as `sha256sum` prints it; "" when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return ""


class Fingerprint:
    """The SHA-256 of bytes as a reader reads them (the bytes on disk, compressed or not), so
    the report's provenance names exactly what was analyzed, without reading a file twice."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def update(self, data: bytes | memoryview) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


class FingerprintedFile:
    """A binary file opened for reading whose bytes are hashed as they are read (what a
    decompressing stream such as pyarrow's reads from)."""

    def __init__(self, path: Path, fingerprint: Fingerprint) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close(), as a file object is
        self._fingerprint = fingerprint
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        self._fingerprint.update(data)
        return data

    def readinto(self, buffer) -> int:
        got = self._fh.readinto(buffer)
        self._fingerprint.update(memoryview(buffer)[:got])
        return got

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self._fh.close()
        self.closed = True


def read_fingerprinted(path: Path) -> tuple[bytes, str]:
    """A file's raw bytes, opened read-only, and their SHA-256."""
    with open(path, "rb") as fh:
        data = fh.read()
    return data, hashlib.sha256(data).hexdigest()


def written_beside(target: Path, data: bytes, suffix: str = ".tmp") -> Path:
    """`data` in a new hidden file next to `target`, on disk and with `target`'s permissions
    (mkstemp makes 0600 files; a new file gets what the umask allows); removed if anything fails."""
    mode = _mode_for(target)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def replace_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target` in one step; raises OSError (the old file is whole)."""
    tmp = written_beside(target, data)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask

"""Whose account the exports are: a small ``odr.toml`` the seller (or their agency) keeps in the
exports folder, so that every report of the account says so without options::

    seller_name = "Brightwell Home & Garden"
    merchant_id = "A2BRIGHTWELL01"   # Seller Central > Settings > Account Info > Merchant Token
    paper = "letter"                 # optional: a4 or letter (default: by the marketplaces)

``--seller-name``, ``--merchant-id`` and ``--paper`` override it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from odr.errors import InvalidOption, OdrError

FILE_NAME = "odr.toml"
_KEYS = ("seller_name", "merchant_id", "paper")
PAPERS = ("a4", "letter")


@dataclass(frozen=True)
class Settings:
    seller_name: str | None = None
    merchant_id: str | None = None
    paper: str | None = None  # 'a4' | 'letter'
    path: Path | None = None  # the odr.toml it came from

    def merged(self, **given: str | None) -> Settings:
        """These settings with the options given (not None) taking precedence, each checked."""
        values = {k: v for k, v in given.items() if v is not None}
        return replace(self, **{k: checked_setting(k, v, None) for k, v in values.items()})


def checked_setting(key: str, value: object, path: Path | None) -> str | None:
    if value is None:
        return None
    where = {"path": path} if path else {}
    error = OdrError if path else InvalidOption  # a value in odr.toml, or one given as an option
    if not isinstance(value, str):
        raise error(f"{key} must be text in quotes", value=value, **where)
    text = " ".join(value.split())  # one line: it goes on a cover and in file names
    if not text or len(text) > 120 or any(ord(c) < 32 for c in text):
        raise error(f"{key} must be one line of at most 120 characters", value=value, **where)
    if key == "paper":
        text = text.casefold()
        if text not in PAPERS:
            raise error("paper must be a4 or letter", value=value, **where)
    return text



def is_settings_file(path: Path) -> bool:
    return path.name.casefold() == FILE_NAME


def read_settings(paths: list[Path]) -> Settings:
    """The odr.toml of the folders given (or named itself); none gives empty settings. Two that
    disagree stop the run: one account's exports belong in one folder."""
    found = []
    for path in paths:
        candidate = path / FILE_NAME if path.is_dir() else path
        if is_settings_file(candidate) and candidate.is_file():
            found.append(_read(candidate))
    if not found:
        return Settings()
    first = found[0]
    for other in found[1:]:
        if (other.seller_name, other.merchant_id) != (first.seller_name, first.merchant_id):
            raise OdrError(f"two {FILE_NAME} files name different accounts ({first.path} and {other.path})",
                           path=other.path, fix="give the exports of one account at a time")
    return first


def _read(path: Path) -> Settings:
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except OSError as exc:
        raise OdrError(f"cannot read it ({exc.strerror or exc})", path=path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise OdrError(f"not valid TOML ({exc})", path=path,
                       fix='write it as lines like seller_name = "Your Shop" and merchant_id = "A2..."') from None
    unknown = sorted(set(doc) - set(_KEYS))
    if unknown:
        raise OdrError(f"unknown setting {unknown[0]!r}", path=path,
                       fix=f"{FILE_NAME} holds {', '.join(_KEYS)}")
    return Settings(**{k: checked_setting(k, doc.get(k), path) for k in _KEYS}, path=path)

"""Header aliases and marketplaces, read once from the package's data files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from odr.fileio.text import normalize_header


@dataclass(frozen=True)
class KindSpec:
    """How one export kind names its columns."""

    kind: str
    fields: dict[str, tuple[str, ...]]  # canonical field -> normalized header aliases
    required: tuple[str, ...]
    signature: tuple[str, ...] = ()  # words whose presence in a header marks the kind
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lookalike:
    """A download that shares columns with an ODR input (odr/data/lookalikes.toml)."""

    kind: str
    title: str
    report: str
    columns: tuple[str, ...] = ()  # normalized headers that must all be present
    words: tuple[str, ...] = ()  # texts that must each occur in some header
    read_as: str | None = None  # an ODR kind it is a variant of, read as such
    why: str = ""  # why it is no ODR input
    preamble: bool = False  # its header may follow a few lines of notes
    match: str | None = None  # recognized by its bytes, not a header (workbook, zip, xml, ...)

    def fits(self, normalized: list[str]) -> bool:
        if self.match or not (self.columns or self.words):
            return False
        names = set(normalized)
        return all(c in names for c in self.columns) and all(any(w in h for h in normalized) for w in self.words)


@dataclass(frozen=True)
class Marketplace:
    id: str
    domain: str
    date_format: str
    header: str | None = None  # feedback header language that identifies it
    paper: str = "a4"  # 'letter' in North America


def _load(name: str) -> dict:
    with resources.files("odr.data").joinpath(name).open("rb") as fh:
        return tomllib.load(fh)


def _kinds() -> dict[str, KindSpec]:
    out = {}
    for kind, spec in _load("aliases.toml").items():
        out[kind] = KindSpec(
            kind=kind,
            fields={f: tuple(normalize_header(a) for a in names) for f, names in spec["fields"].items()},
            required=tuple(spec.get("required", ())),
            signature=tuple(spec.get("signature", ())),
            flags=tuple(spec.get("flags", ())),
        )
    return out


def _lookalikes() -> dict[str, Lookalike]:
    out = {}
    for kind, spec in _load("lookalikes.toml").items():
        out[kind] = Lookalike(
            kind=kind, title=spec["title"], report=spec["report"],
            columns=tuple(normalize_header(c) for c in spec.get("columns", ())),
            words=tuple(normalize_header(w) for w in spec.get("words", ())),
            read_as=spec.get("read_as"), why=spec.get("why", ""), preamble=bool(spec.get("preamble", False)),
            match=spec.get("match"),
        )
    return out


ALIASES: dict[str, KindSpec] = _kinds()
LOOKALIKES: dict[str, Lookalike] = _lookalikes()
SET_ASIDE = frozenset(k for k, v in LOOKALIKES.items() if v.read_as is None)  # kinds never read
MARKETPLACES: dict[str, Marketplace] = {
    mid: Marketplace(id=mid, **spec) for mid, spec in _load("marketplaces.toml").items()
}
BY_DOMAIN: dict[str, Marketplace] = {m.domain.casefold(): m for m in MARKETPLACES.values()}


def marketplace(code: str | None) -> Marketplace | None:
    """A marketplace by id ('A1PA6795UKMFR9'), domain ('Amazon.de') or country code ('DE')."""
    if not code:
        return None
    key = code.strip()
    if key in MARKETPLACES:
        return MARKETPLACES[key]
    folded = key.casefold()
    if folded in BY_DOMAIN:
        return BY_DOMAIN[folded]
    for m in MARKETPLACES.values():
        tld = m.domain.rsplit(".", 1)[-1].casefold()
        if folded in (tld, "www." + m.domain.casefold(), m.domain.casefold().removeprefix("amazon.")):
            return m
    if folded == "us":
        return MARKETPLACES["ATVPDKIKX0DER"]
    if folded in ("uk", "gb"):
        return MARKETPLACES["A1F83G8C2ARO7P"]
    if folded == "jp":
        return MARKETPLACES["A1VC38T7YXB528"]
    return None


def match_fields(spec: KindSpec, normalized: list[str]) -> dict[str, int]:
    """Canonical field -> index of the first column carrying one of its aliases."""
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name, aliases in spec.fields.items():
        for alias in aliases:  # alias order is preference order: 'claim date' before 'date'
            idx = next((i for i, h in enumerate(normalized) if h == alias and i not in taken), None)
            if idx is not None:
                found[name] = idx
                taken.add(idx)
                break
    return found

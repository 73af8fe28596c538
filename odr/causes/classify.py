"""Multi-label cause classification that explains itself (design §6).

Signals, strongest first:
1. a user override (the ledger's ``causes`` column, or ``--causes FILE``);
2. structured fields: A-to-z claim type ("Not Received" → non_receipt; "Materially Different" →
   damaged or not_as_described, split by the text), chargeback reason, and the legacy feedback
   answers Arrived on Time / Item as Described / Customer Service = No;
3. phrase lexicons per language (``lexicons/<lang>.toml``).

How the lexicons are matched (all of it vectorized over Arrow arrays, one RE2 pass per step, never a
Python loop over patterns):

* Texts are split by script: Japanese (kana or kanji present) and the Latin-script languages.
  Latin texts are lower-cased, NFKD-decomposed and stripped of accents, so a buyer who types
  "llego", "recu" or "beschadigt" matches the same pattern as "llegó", "reçu", "beschädigt", and
  RE2's ASCII ``\\b`` works on every letter. Japanese texts are NFKC-normalized (full-width Latin,
  half-width kana). Lexicon patterns are folded the same way when they are loaded, so they are
  written with their accents for readability.
* One blanking pass per script removes neutral phrases ("arrived on time", "no problems") and
  negated cue words ("not damaged", "nicht kaputt", "破損なし"), except where a complaint phrase
  that contains them starts first ("did not arrive on time", "not as described"): those are kept.
* Each language's four cause patterns are tested with a DFA-only boolean match. Only the rows that
  matched are searched again to extract the phrase and its position. One pattern per language and
  cause (rather than one for all languages) keeps every RE2 DFA small, which is what keeps the
  passes fast.
* When the phrase found for one cause lies inside a longer phrase found for another ("never
  arrived" inside "refund never arrived", "doesnt work" inside "tracking doesnt work", "broke"
  inside "broke after two weeks"), the longer phrase wins and the shorter cause is dropped.

A text that matches nothing stays ``unclassified``: sentiment ("terrible, never again") and
praise are no cause, and nothing is guessed. Every cause keeps the phrase or field that decided
it; the phrase is cut from the buyer's original text (original case and accents) when the
normalization kept its length.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from odr.causes import model
from odr.causes.language import UNKNOWN as UNKNOWN_LANGUAGE
from odr.causes.language import detect as detect_language
from odr.causes.language import of_marketplace
from odr.causes.taxonomy import CAUSE_OF, CAUSES, SUBCAUSES

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ja", "zh")
CJK = ("ja", "zh")  # languages matched as Han/kana text (NFKC), the others as folded Latin text
TEXT_CAUSES = ("non_receipt", "damaged", "not_as_described", "poor_service")
UNCLASSIFIED = "unclassified"
BLANK = " | "

_WHITESPACE = r"\s{2,}|[\t\n\r\f\v]"
_MARKS = "[\u0300-\u036f]"
_NON_ASCII = r"\x{80}-\x{10ffff}"
_TOKEN = rf"[^\s.,;:!?()|{_NON_ASCII}]"  # a character of a word, for the negation gap
_APOSTROPHES = "'\u2019\u2018`"
_LATIN_LETTER = "[a-z\\x{df}-\\x{ff}\\x{153}]"
_GERMAN = {"ä": "ae?", "ö": "oe?", "ü": "ue?", "ß": "(?:ss|ß)"}


# ----------------------------------------------------------------------------- lexicon loading


def fold_pattern(pattern: str, lang: str) -> str:
    """A lexicon pattern folded like the texts it runs on.

    Latin languages: German umlauts also match their ae/oe/ue spelling, accents are stripped
    (NFKD), and ``'`` matches typographic apostrophes too. Japanese: NFKC.

    Latin texts are ASCII after folding (but for ß, œ, æ, ø and symbols), so Unicode classes are
    narrowed to what they can meet: ``\\pL`` becomes ``[a-zß-ÿœ]``, ``\\S`` printable ASCII, and a
    negated class ``[^...]`` leaves out non-ASCII. RE2 compiles every Unicode class into a large
    UTF-8 automaton; dozens of them in one alternation overflow its DFA memory and matching falls
    back to the NFA, a hundred times slower."""
    if lang in CJK:
        return unicodedata.normalize("NFKC", pattern)
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = negated = False
    first = 0  # index of a class's first member (where ']' is literal)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            escape = pattern[i:i + 2]
            if not in_class and escape == "\\p" and pattern[i + 2:i + 3] == "L":
                out.append(_LATIN_LETTER)
                i += 3
            elif not in_class and escape == "\\S":
                out.append("[!-~]")
                i += 2
            else:
                out.append(escape)
                i += 2
            continue
        if in_class:
            if ch == "]" and i > first:
                if negated:
                    out.append(_NON_ASCII)
                in_class = False
                out.append(ch)
            else:
                out.append(_APOSTROPHES if ch == "'" else ch)
        elif ch == "[":
            in_class, negated = True, pattern[i + 1:i + 2] == "^"
            out.append("[^" if negated else "[")
            i += 2 if negated else 1
            first = i
            continue
        elif ch == "'":
            out.append(f"[{_APOSTROPHES}]")
        elif lang == "de" and ch in _GERMAN:
            out.append(_GERMAN[ch])
        else:
            out.append(ch)
        i += 1
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    return re.sub(_MARKS, "", decomposed)


def _token_except(words: list[str]) -> str:
    """RE2 for one word (run of _TOKEN characters) that is none of `words`: RE2 has no lookahead,
    so the complement is spelled out over the words' prefix tree."""
    any_tail = f"{_TOKEN}*"

    def rec(suffixes: set[str]) -> str:
        # Strings over _TOKEN (possibly empty) that are not in `suffixes`.
        firsts = sorted({s[0] for s in suffixes if s})
        alts = []
        if firsts:
            excluded = "".join(re.escape(c) for c in firsts)
            alts.append(rf"[^\s.,;:!?()|{_NON_ASCII}{excluded}]{any_tail}")
        else:
            alts.append(f"{_TOKEN}{any_tail}")
        for c in firsts:
            alts.append(re.escape(c) + rec({s[1:] for s in suffixes if s and s[0] == c}))
        body = "(?:" + "|".join(alts) + ")"
        return body if "" in suffixes else body + "?"

    return rec({w for w in words} | {""})


@dataclass(frozen=True)
class Lexicon:
    """One language's compiled phrase rules."""

    language: str
    script: str  # 'latin' (folded: lower case, no accents) | 'cjk' (NFKC)
    blank: str  # (kept complaint phrases)|neutral phrases|negated cues -> r"\1 | "
    phrases: tuple[tuple[int, str], ...]  # (cause index, one alternation)
    subs: tuple[tuple[int, str, str], ...]  # (cause index, sub-cause, one alternation)

    @property
    def extend(self) -> str:
        """What the evidence runs on with: the rest of the last word (Latin scripts)."""
        return "" if self.script == "cjk" else f"{_LATIN_LETTER}*"  # folded text: never the whole Unicode class


def _negated(doc: dict, lang: str) -> list[str]:
    """Blanking patterns for negated cue words: explicit ones, plus negator + up to two words +
    cue (+ "or"/"nor"/"/" and more cues) for languages whose negation comes first."""
    out = [fold_pattern(p, lang) for p in doc.get("negated", [])]
    cues = sorted({fold_pattern(w, lang) for c in TEXT_CAUSES for w in doc[c].get("negatable", [])},
                  key=len, reverse=True)
    if cues and doc.get("negators"):
        neg = fold_pattern(doc["negators"], lang)
        cue = f"(?:{'|'.join(cues)})[a-z]*"
        gap = f"(?:{_token_except([fold_pattern(w, lang) for w in doc.get('conjunctions', [])])} )"
        coord = "|".join(fold_pattern(w, lang) for w in doc.get("coordinators", ["or"]))
        out.append(f"(?:{neg}) {gap}{{0,2}}{cue}(?:(?: (?:{coord}) |/| ?, ?)(?:{gap})?{cue})*")
    return out


_LEXICON_KEYS = {"language", "negators", "conjunctions", "coordinators", "neutral", "negated"}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Lexicon]:
    """Every language's lexicon (``lexicons/<lang>.toml``), compiled."""
    folder = resources.files("odr.causes").joinpath("lexicons")
    out = {}
    for lang in LANGUAGES:
        with folder.joinpath(f"{lang}.toml").open("rb") as fh:
            doc = tomllib.load(fh)
        stray = set(doc) - _LEXICON_KEYS - set(TEXT_CAUSES)
        if stray:  # a key the engine does not read would look like a rule that works
            raise ValueError(f"lexicons/{lang}.toml: {sorted(stray)[0]!r} is not read by odr "
                             f"(keys: {', '.join(sorted(_LEXICON_KEYS | set(TEXT_CAUSES)))})")
        # `<word>` in a pattern: one word that is no conjunction ("not <word> on time" must not
        # reach across "and": "not damaged and arrived on time" is no late delivery).
        word = _token_except([fold_pattern(w, lang) for w in doc.get("conjunctions", [])])

        def fold(pattern: str, lang: str = lang, word: str = word) -> str:
            return fold_pattern(pattern, lang).replace("<word>", word)

        blank_parts = [fold(p) for p in doc.get("neutral", [])] + _negated(doc, lang)
        keep_all: list[str] = []
        phrases, subs = [], []
        for j, cause in enumerate(TEXT_CAUSES):
            section = doc.get(cause, {})
            keep = [fold(p) for p in section.get("keep", [])]
            keep_all.extend(keep)
            # [cause.<sub-cause>] tables: phrases that name the cause and which sub-cause it is.
            named = {name: [fold(p) for p in table.get("phrases", [])]
                     for name, table in section.items() if isinstance(table, dict)}
            unknown = set(named) - set(SUBCAUSES[cause])
            if unknown:
                raise ValueError(f"lexicons/{lang}.toml: [{cause}.{sorted(unknown)[0]}] is not a sub-cause of "
                                 f"{cause} ({', '.join(SUBCAUSES[cause])})")
            every = keep + [fold(p) for p in section.get("phrases", [])]
            every += [p for ps in named.values() for p in ps]
            if every:
                phrases.append((j, "|".join(f"(?:{p})" for p in every)))
            subs.extend((j, name, "|".join(f"(?:{p})" for p in ps)) for name, ps in named.items() if ps)
        keep = "|".join(f"(?:{p})" for p in keep_all) or "$^"
        blank = f"({keep})" + "".join(f"|(?:{p})" for p in blank_parts)
        out[lang] = Lexicon(lang, "cjk" if lang in CJK else "latin", blank, tuple(phrases), tuple(subs))
    return out


# ----------------------------------------------------------------------------- matching


def _as_arrow(texts: object) -> pa.Array | pa.ChunkedArray:
    """Texts as an Arrow string array, without a Python round trip when they are Arrow already."""
    if isinstance(texts, pa.ChunkedArray | pa.Array):
        arr = texts
    elif isinstance(texts, pd.Series) and isinstance(texts.dtype, pd.ArrowDtype | pd.StringDtype):
        arr = pa.array(texts)
    else:
        try:
            arr = pa.array(texts, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array([None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                            for v in texts], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    return pc.fill_null(arr, "")


def normalize(texts: pa.Array | pa.ChunkedArray, script: str = "latin") -> pa.Array:
    """Texts folded like the lexicons: lower case, accents stripped (Latin) or NFKC (Japanese),
    runs of white space made one space."""
    t = pc.utf8_lower(pc.fill_null(texts, ""))
    if script == "cjk":
        t = pc.utf8_normalize(t, "NFKC")
    else:
        t = pc.replace_substring_regex(pc.utf8_normalize(t, "NFKD"), _MARKS, "")
    return pc.replace_substring_regex(t, _WHITESPACE, " ")


@dataclass
class Matches:
    """Per text and cause: where the deciding phrase starts and ends in the normalized text
    (characters, -1: none) and the phrase itself, quoted."""

    start: np.ndarray  # n x 4
    end: np.ndarray  # n x 4
    phrase: list[np.ndarray]  # one object array per cause
    subs: dict[str, np.ndarray] = field(default_factory=dict)  # sub-cause -> named in the text (n)
    blanked: pa.Array | None = None  # each text folded and blanked by its language's rules (the model reads it)


def match_texts(texts: object, languages: np.ndarray | None = None) -> Matches:
    """Find every cause's first phrase in every text, by the rules of the text's own language
    (`languages`, detected if not given): see the module docstring."""
    original = _as_arrow(texts)
    n = len(original)
    k = len(TEXT_CAUSES)
    start = np.full((n, k), -1, dtype=np.int64)
    end = np.full((n, k), -1, dtype=np.int64)
    phrase = [np.full(n, None, dtype=object) for _ in TEXT_CAUSES]
    subs: dict[str, np.ndarray] = {}
    blanked = np.full(n, "", dtype=object)
    if n == 0:
        return Matches(start, end, phrase, subs, pa.array([], pa.string()))
    if languages is None:
        languages = detect_language(original)
    latin_unknown = languages == UNKNOWN_LANGUAGE
    for lang, lex in lexicon().items():
        rows = np.flatnonzero((languages == lang) | (latin_unknown if lex.script == "latin" else False))
        if not len(rows):
            continue
        orig = original if len(rows) == n else pc.take(original, pa.array(rows))
        norm = normalize(orig, lex.script)
        t = pc.replace_substring_regex(norm, lex.blank, r"\1" + BLANK)
        blanked[rows] = t.to_numpy(zero_copy_only=False)
        texts_py: list[str] | None = None  # the normalized texts, converted on first need
        for j, pattern in lex.phrases:
            hit = np.flatnonzero(pc.match_substring_regex(t, pattern).to_numpy(zero_copy_only=False))
            if not len(hit):
                continue
            if texts_py is None:
                texts_py = norm.to_pylist()
                same = pc.equal(pc.utf8_length(orig), pc.utf8_length(norm)).to_numpy(zero_copy_only=False)
            found = pc.extract_regex(pc.take(t, pa.array(hit)), f"(?P<m>(?:{pattern}){lex.extend})")
            words = found.field("m").to_pylist()
            # Where the phrase is in the normalized text (blanking moved things; a phrase that
            # ran across a blank is not found there and keeps the blanked position's order).
            pos = np.fromiter((texts_py[i].find(w) for i, w in zip(hit.tolist(), words, strict=True)),
                              dtype=np.int64, count=len(hit))
            lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(hit))
            pos = np.where(pos >= 0, pos, np.iinfo(np.int32).max)
            rows_hit = rows[hit]
            quoted = np.array([f'"{w.strip()}"' for w in words], dtype=object)
            cut = np.flatnonzero(same[hit] & (pos < np.iinfo(np.int32).max))
            if len(cut):  # the phrase as the buyer wrote it (case, accents), where lengths allow
                src = pc.take(orig, pa.array(hit[cut])).to_pylist()
                quoted[cut] = [f'"{o[a:a + b].strip()}"' for o, a, b in
                               zip(src, pos[cut].tolist(), lengths[cut].tolist(), strict=True)]
            prev = start[rows_hit, j]
            sel = np.flatnonzero((prev < 0) | (pos < prev))  # read by several languages: the earliest wins
            start[rows_hit[sel], j] = pos[sel]
            end[rows_hit[sel], j] = pos[sel] + lengths[sel]
            phrase[j][rows_hit[sel]] = quoted[sel]
        for j, sub, pattern in lex.subs:  # only in texts where the cause was found
            local = np.flatnonzero(start[rows, j] >= 0)
            if not len(local):
                continue
            hit = pc.match_substring_regex(pc.take(t, pa.array(local)), pattern).to_numpy(zero_copy_only=False)
            flags = subs.setdefault(sub, np.zeros(n, bool))
            flags[rows[local[hit]]] = True
    _drop_contained(start, end)
    for sub, flags in subs.items():
        flags &= start[:, TEXT_CAUSES.index(CAUSE_OF[sub])] >= 0  # a dropped cause takes its sub-causes
    return Matches(start, end, phrase, subs, pa.array(blanked, pa.string()))


def _drop_contained(start: np.ndarray, end: np.ndarray) -> None:
    """A cause whose phrase lies inside a strictly longer phrase of another cause is dropped:
    "mai arrivato" inside "rimborso mai arrivato" is the refund, not the parcel."""
    found = start >= 0
    length = end - start
    drop = np.zeros_like(found)
    k = start.shape[1]
    for a in range(k):
        for b in range(k):
            if a != b:
                drop[:, a] |= (found[:, a] & found[:, b] & (start[:, b] <= start[:, a])
                               & (end[:, a] <= end[:, b]) & (length[:, b] > length[:, a]))
    start[drop] = -1
    end[drop] = -1


def classify_texts(texts: object, languages: object = None, default_language: str | None = None,
                   learned: bool = True) -> pd.DataFrame:
    """Causes of free texts: `causes` (primary first: the cause whose phrase comes first in the
    text, then what the learned model adds), `evidence` (the deciding phrase of each cause,
    quoted; for a learned cause, the words that weighed most), `subcauses` ({cause: [...]}) and
    `language` (given per text in `languages`, else detected; `default_language` where the text
    does not tell). `learned=False`: the phrase rules alone."""
    original = _as_arrow(texts)
    language = (np.asarray(languages, dtype=object) if languages is not None
                else detect_language(original, default_language))
    found = match_texts(original, language)
    n, k = found.start.shape
    hit = found.start >= 0
    order = np.argsort(np.where(hit, found.start, np.iinfo(np.int64).max), axis=1, kind="stable")
    count = hit.sum(axis=1)
    # Rows that share an ordering of their causes are built together.
    code = (order * (k ** np.arange(k))).sum(axis=1) * (k + 1) + count
    causes_out: list[list[str]] = [[] for _ in range(n)]
    evidence_out: list[list[str]] = [[] for _ in range(n)]
    for c in np.unique(code[count > 0]):
        rows = np.flatnonzero(code == c)
        seq = order[rows[0], : count[rows[0]]].tolist()
        names = [TEXT_CAUSES[j] for j in seq]
        columns = [found.phrase[j][rows] for j in seq]
        for i, ev in zip(rows.tolist(), zip(*columns, strict=True), strict=True):
            causes_out[i] = names.copy()
            evidence_out[i] = list(ev)
    if learned and model.available() and n:
        _add_learned(found, language, causes_out, evidence_out)
    subcauses_out = [_subcauses(found.subs, i, causes_out[i]) for i in range(n)]
    index = texts.index if isinstance(texts, pd.Series) else None
    return pd.DataFrame({"causes": causes_out, "evidence": evidence_out, "subcauses": subcauses_out,
                         "language": language}, index=index)


def _add_learned(found: Matches, language: np.ndarray, causes: list[list[str]], evidence: list[list[str]]) -> None:
    """The learned model's causes that the rules did not name, each with the words of the text
    that weighed most for it (the model reads the text as the rules left it: negations blanked).
    It reads only texts in the languages it learned from."""
    weights = model.shipped()
    read = np.flatnonzero(np.isin(language.astype(str), list(weights.languages)))
    if not len(read):
        return
    decided = model.decide(found.blanked.take(pa.array(read)), weights)
    rows, cols = np.nonzero(decided)
    rows = read[rows]
    if not len(rows):
        return
    blanked = found.blanked.take(pa.array(np.unique(rows))).to_pylist()
    text_of = dict(zip(np.unique(rows).tolist(), blanked, strict=True))
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        cause = TEXT_CAUSES[j]
        if cause in causes[i]:
            continue
        words = model.weighed_most(text_of[i], cause, weights)
        if not words:
            continue  # nothing in the text itself carries it: no cause is guessed
        causes[i].append(cause)
        evidence[i].append(f'model: "{words}"')


def _subcauses(subs: dict[str, np.ndarray], i: int, causes: list[str]) -> dict[str, list[str]]:
    """{cause: [its sub-causes named in text i, in vocabulary order]} for the causes found."""
    out: dict[str, list[str]] = {}
    for cause in causes:
        named = [s for s in SUBCAUSES.get(cause, ()) if s in subs and subs[s][i]]
        if named:
            out[cause] = named
    return out


# Structured fields (design §6; amazon-reports.md §2, §3, §10).
_CLAIM_TYPES = {"not received": "non_receipt", "item not received": "non_receipt", "non receipt": "non_receipt",
                "nicht erhalten": "non_receipt", "no recibido": "non_receipt", "non reçu": "non_receipt",
                "non ricevuto": "non_receipt"}
_MATERIALLY_DIFFERENT = {"materially different", "significantly different", "not as described",
                         "item not as described", "erheblich abweichend", "materialmente diferente",
                         "sensiblement différent", "materialmente diverso"}
_CHARGEBACK_REASONS = {"item not received": "non_receipt", "not received": "non_receipt",
                       "merchandise not received": "non_receipt", "non receipt": "non_receipt",
                       "not as described": "not_as_described", "item not as described": "not_as_described",
                       "materially different": "not_as_described", "defective merchandise": "not_as_described",
                       "damaged": "damaged", "credit not processed": "poor_service",
                       "refund not processed": "poor_service", "cancelled merchandise": "poor_service"}
_LEGACY = {"arrived_on_time": "non_receipt", "item_as_described": "not_as_described",
           "customer_service": "poor_service"}
_NO = {"no", "nein", "non", "nee", "いいえ"}


def _norm(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).casefold().replace("-", " ").replace("_", " ").split())


_LEGACY_SUB = {"arrived_on_time": "late"}  # "Arrived on time: No" names the sub-cause too


def structured(kind: str, reason: object, signals: object) -> tuple[list[str], list[str], bool]:
    """(causes, evidence, materially_different) from a defect's structured fields."""
    causes: list[str] = []
    evidence: list[str] = []
    r = _norm(reason)
    if kind == "a_to_z_claim" and r:
        if r in _CLAIM_TYPES:
            causes.append(_CLAIM_TYPES[r])
            evidence.append(f'claim type "{reason}"')
        elif r in _MATERIALLY_DIFFERENT:
            return causes, evidence, True
    if kind == "chargeback" and r in _CHARGEBACK_REASONS:
        causes.append(_CHARGEBACK_REASONS[r])
        evidence.append(f'chargeback reason "{reason}"')
    if isinstance(signals, str) and signals:
        for part in signals.split(";"):
            name, _, answer = part.strip().partition("=")
            if answer.strip() in _NO and name in _LEGACY and _LEGACY[name] not in causes:
                causes.append(_LEGACY[name])
                evidence.append(f"{name.replace('_', ' ').title()}: No")
    return causes, evidence, False


def classify_defects(defects: pd.DataFrame, overrides: dict[str, list[str]] | None = None, *,
                     texts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Add ``causes`` (list, primary first), ``primary_cause``, ``evidence`` (list, one per
    cause) and ``subcauses`` ({cause: [sub-causes]}) to a defects table. `texts` is
    :func:`classify_texts` of its ``text`` column, when the caller has it already (odr.analyze
    runs it on another thread meanwhile). An override may name sub-causes ('damaged/packaging',
    or 'packaging' alone)."""
    out = defects.copy()
    if texts is not None and len(texts) == len(out):
        text = texts
    else:
        text = classify_texts(out["text"].reset_index(drop=True), default_language=marketplace_languages(out)) \
            if len(out) else pd.DataFrame({"causes": [], "evidence": [], "subcauses": [], "language": []})
    all_causes, all_evidence, all_subs = [], [], []
    overrides = overrides or {}
    n = len(out)
    signals = out["signals"].tolist() if "signals" in out else [None] * n
    text_subs = text["subcauses"].tolist() if "subcauses" in text else [{}] * n
    rows = zip(out["order_id"].tolist(), out["kind"].tolist(), out["reason"].tolist(), signals,
               text["causes"].tolist(), text["evidence"].tolist(), text_subs, strict=True)
    fields: dict[tuple, tuple[list[str], list[str], bool]] = {}  # structured() per distinct fields
    for order_id, kind, reason, signal, t_causes, t_evidence, t_subs in rows:  # plain lists: no per-row pandas
        if order_id in overrides:
            chosen, chosen_subs = split_override(overrides[order_id])
            all_causes.append(chosen)
            all_evidence.append(["set by the seller"] * len(chosen))
            all_subs.append(chosen_subs)
            continue
        combo = (kind, reason, signal)
        if combo not in fields:
            fields[combo] = structured(kind, reason, signal)
        causes, evidence, material = fields[combo]
        causes, evidence = list(causes), list(evidence)  # this row's own, to extend
        if material:
            split = [(c, e) for c, e in zip(t_causes, t_evidence, strict=True) if c in ("damaged", "not_as_described")]
            if split:
                causes.append(split[0][0])
                evidence.append(f'claim type "{reason}" + {split[0][1]}')
            else:
                causes.append("not_as_described")
                evidence.append(f'claim type "{reason}"')
        for c, e in zip(t_causes, t_evidence, strict=True):
            if c not in causes:
                causes.append(c)
                evidence.append(e)
        subs = {c: list(v) for c, v in t_subs.items() if c in causes}
        for part in (signal.split(";") if isinstance(signal, str) else ()):
            name, _, answer = part.strip().partition("=")
            if answer.strip() in _NO and name in _LEGACY_SUB and _LEGACY[name] in causes:
                named = subs.setdefault(_LEGACY[name], [])
                if _LEGACY_SUB[name] not in named:
                    named.append(_LEGACY_SUB[name])
        if not causes:
            causes, evidence = [UNCLASSIFIED], ["no cause phrase or field matched"]
        all_causes.append(causes)
        all_evidence.append(evidence)
        all_subs.append(subs)
    out["causes"] = pd.Series(all_causes, index=out.index, dtype="object")
    out["primary_cause"] = pd.Series([c[0] for c in all_causes], index=out.index, dtype="str")
    out["evidence"] = pd.Series(all_evidence, index=out.index, dtype="object")
    out["subcauses"] = pd.Series(all_subs, index=out.index, dtype="object")
    out["language"] = pd.Series(text["language"].tolist() if "language" in text else [None] * n,
                                index=out.index, dtype="object")
    return out


def marketplace_languages(defects: pd.DataFrame) -> np.ndarray | None:
    """Each defect's marketplace language, for texts whose own words tell none."""
    if "marketplace" not in defects:
        return None
    return np.array([of_marketplace(m) for m in defects["marketplace"].tolist()], dtype=object)


def split_override(names: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """A seller's override ('damaged', 'damaged/packaging' or 'packaging') as causes and sub-causes."""
    causes: list[str] = []
    subs: dict[str, list[str]] = {}
    for name in names:
        cause, _, sub = name.partition("/")
        if cause in CAUSE_OF:  # a sub-cause alone names its cause
            cause, sub = CAUSE_OF[cause], cause
        if cause not in causes:
            causes.append(cause)
        if sub and sub not in subs.setdefault(cause, []):
            subs[cause].append(sub)
    return causes, {c: v for c, v in subs.items() if v}


def parse_overrides(pairs: list[tuple[str, str]], source: str) -> tuple[dict[str, list[str]], list[str]]:
    """Seller overrides from (order_id, 'damaged; poor_service') pairs: the causes per order, and
    one message per unknown cause name (which is left out)."""
    out: dict[str, list[str]] = {}
    bad: list[str] = []
    for order_id, text in pairs:
        if not isinstance(text, str) or not text.strip():
            continue
        causes = []
        for part in text.replace(",", ";").split(";"):
            slug = part.strip().casefold().replace(" ", "_").replace("-", "_").replace(":", "/")
            cause, _, sub = (s.strip("_") for s in slug.partition("/"))
            ok = (cause in CAUSES and (not sub or sub in SUBCAUSES.get(cause, ()))) or (cause in CAUSE_OF and not sub)
            if ok and slug not in causes:
                causes.append(f"{cause}/{sub}" if sub else cause)
            elif slug and not ok:
                bad.append(f"{source + ': ' if source else ''}{order_id}: '{part.strip()}' is not a cause "
                           f"({', '.join(CAUSES)}) or cause/sub-cause (e.g. damaged/packaging)")
        if causes:
            out[order_id] = causes
    return out, bad


def seller_causes(ledger: pd.DataFrame, given: dict[str, list[str]] | None = None
                  ) -> tuple[dict[str, list[str]], list[str]]:
    """The seller's own causes per order, which win over the classifier's: the ledger's
    ``causes`` column, with `given` (``--causes FILE``, :func:`odr.read_overrides`) over it; and
    one message per cause name in the ledger that is not one (that name is left out)."""
    written = ledger.dropna(subset=["causes"])
    out, unknown = parse_overrides(list(zip(written["order_id"], written["causes"], strict=True)), "ledger")
    out.update(given or {})
    return out, unknown


def cause_table(defects: pd.DataFrame) -> pd.DataFrame:
    """What `odr classify` shows of classified defects (:func:`classify_defects`), one row per
    defect: order_id, kind, event_date ('YYYY-MM-DD' or None), causes, subcauses, evidence (in
    words), language, text."""
    import pandas as pd

    def plain(values: list) -> pd.Series:  # Python text, None where empty (as JSON shows it)
        return pd.Series([v if isinstance(v, str) and v else None for v in values], dtype=object)

    return pd.DataFrame({
        "order_id": plain(defects["order_id"].tolist()),
        "kind": plain(defects["kind"].tolist()),
        "event_date": plain(defects["event_date"].dt.strftime("%Y-%m-%d").tolist()),
        "causes": pd.Series([list(c) for c in defects["causes"]], dtype=object),
        "subcauses": pd.Series([dict(s) for s in defects["subcauses"]], dtype=object),
        "evidence": plain([describe(c, e) for c, e in zip(defects["causes"], defects["evidence"], strict=True)]),
        "language": plain(defects["language"].tolist()),
        "text": plain(defects["text"].tolist()),
    })


def order_causes(defects: pd.DataFrame) -> pd.DataFrame:
    """Per order: the union of its defects' causes (earliest defect's primary first), with
    evidence and sub-causes; `unclassified` only when no defect of the order has a cause."""
    ordered = defects.sort_values(["order_id", "event_date"], na_position="last", kind="stable")
    subs_col = ordered["subcauses"].tolist() if "subcauses" in ordered else [{}] * len(ordered)
    merged: dict[str, tuple[list[str], list[str], dict[str, list[str]]]] = {}
    for order_id, cs, es, ss in zip(ordered["order_id"].tolist(), ordered["causes"].tolist(),
                                    ordered["evidence"].tolist(), subs_col, strict=True):
        causes, evidence, subs = merged.setdefault(order_id, ([], [], {}))
        for c, e in zip(cs, es, strict=True):
            if c != UNCLASSIFIED and c not in causes:
                causes.append(c)
                evidence.append(e)
        for c, named in (ss or {}).items():
            for sub in named:
                if sub not in subs.setdefault(c, []):
                    subs[c].append(sub)
    rows = []
    for order_id, (causes, evidence, subs) in merged.items():
        if not causes:
            causes, evidence = [UNCLASSIFIED], ["no cause phrase or field matched"]
        ordered_subs = {c: [s for s in SUBCAUSES.get(c, ()) if s in subs.get(c, ())] for c in causes}
        rows.append((order_id, causes, causes[0], evidence, {c: v for c, v in ordered_subs.items() if v}))
    return pd.DataFrame(rows, columns=["order_id", "causes", "primary_cause", "evidence", "subcauses"])


def decided_by_text(evidence: str) -> bool:
    """Whether a cause's evidence is a phrase of the buyer's text ('"arrived broken"', or
    'claim type "Materially Different" + "broken"'), not a field or the seller's word alone."""
    return bool(_TEXT_EVIDENCE.search(evidence))


_TEXT_EVIDENCE = re.compile(r'(?:^|\+ )"')


def subcause_text(subcauses: dict[str, list[str]] | None) -> str:
    """{'damaged': ['packaging'], 'poor_service': ['no_reply']} -> 'damaged: packaging; poor_service: no_reply'."""
    return "; ".join(f"{c}: {', '.join(s)}" for c, s in (subcauses or {}).items() if s)


def describe(causes: list[str], evidence: list[str]) -> str:
    """'non_receipt: "never arrived"; poor_service: "seller never answered"'."""
    return "; ".join(f"{c}: {e}" for c, e in zip(causes, evidence, strict=True))


assert set(TEXT_CAUSES) | {UNCLASSIFIED} == set(CAUSES)

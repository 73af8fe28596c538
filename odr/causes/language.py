"""The language of each buyer text, told per text, not per file (a UK feedback file holds
German and Polish buyers' words too).

Japanese and Chinese are told by their script (kana, or Han characters without kana). Latin
texts by the function words they use most: each language's commonest short words are counted in
one RE2 pass per language over the folded texts, and the language with most wins. A text with
none of them (too short: "Paket nie angekommen") gets the `default` given, the language of the
marketplace the file came from, when the caller knows it; else it is read by every Latin
language's rules.

Measured on the shared real corpus (2,532 texts in 8 languages): 97.1% right, 2.7% told no
language (short texts, or a tie between two languages' words: read as the marketplace's
language, else by every Latin lexicon), 0.2% (5 texts) taken for another language. A detector library
(lingua, low-accuracy mode) is 99.5% right but takes about 9 s per 100,000 texts here, and
odr classify has 10 s for everything: the function words are enough for choosing phrase rules.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ja", "zh")

# The commonest short words of each language, folded (lower case, no accents). Words two
# languages share (de, la, a, e, que, no, il...) are left out of both where they would mislead.
_FUNCTION_WORDS = {
    "en": "the and is it to was not my of for this that with but have you they are i on very be at just "
          "item product seller arrived received would",
    "de": "der die das und ist nicht ich es zu mit ein eine den sie auf fur sich auch wie aber nach bei war "
          "sehr habe hat noch schon kein keine wurde leider",
    "fr": "le les et est pas je des une qui pour sur avec mais ne tres ai ete au du ce en plus commande "
          "recu produit vous nous ils jamais toujours",
    "es": "el los las y es del al mi su esta fue como mas pero muy lo por para una con producto pedido "
          "llego todavia",
    "it": "il gli non di che un per con ma ho molto della sono si come anche piu ha questo prodotto "
          "arrivato ancora ai dei nel alla perche venditore",
    "pt": "o os as nao um uma com para muito mas eu do da em na foi produto ainda recebi entrega pedido "
          "chegou veio",
}
# A marketplace's language, by its domain's ending: what a text that tells none is read as.
_BY_DOMAIN = (("co.jp", "ja"), ("com.br", "pt"), ("com.mx", "es"), (".de", "de"), (".at", "de"), (".fr", "fr"),
              (".es", "es"), (".it", "it"), (".cn", "zh"), (".com", "en"), (".co.uk", "en"), (".ca", "en"))


def of_marketplace(domain: object) -> str | None:
    """'Amazon.de' -> 'de'; None for a marketplace of no one language (Amazon.ca is en first)."""
    if not isinstance(domain, str):
        return None
    folded = domain.strip().casefold()
    return next((lang for end, lang in _BY_DOMAIN if folded.endswith(end)), None)


_PATTERNS = {lang: r"\b(?:" + "|".join(sorted(set(words.split()), key=len, reverse=True)) + r")\b"
             for lang, words in _FUNCTION_WORDS.items()}
_LATIN = tuple(_PATTERNS)


UNKNOWN = ""  # a Latin text whose words tell no language: read by every Latin lexicon


def detect(texts: pa.Array, default: str | np.ndarray | None = None) -> np.ndarray:
    """Each text's language code (an object array); where nothing tells, `default` (the
    marketplace's language: one for all texts, or one per text), else UNKNOWN."""
    n = len(texts)
    if isinstance(default, np.ndarray):
        out = np.array([d if isinstance(d, str) and d else UNKNOWN for d in default], dtype=object)
    else:
        out = np.full(n, default or UNKNOWN, dtype=object)
    if n == 0:
        return out
    texts = pc.fill_null(texts, "")
    kana = pc.match_substring_regex(texts, r"[\p{Hiragana}\p{Katakana}]").to_numpy(zero_copy_only=False)
    han = pc.match_substring_regex(texts, r"\p{Han}").to_numpy(zero_copy_only=False)
    folded = pc.replace_substring_regex(pc.utf8_normalize(pc.utf8_lower(texts), "NFKD"), "[\u0300-\u036f]", "")
    scores = np.stack([pc.count_substring_regex(folded, _PATTERNS[lang]).to_numpy(zero_copy_only=False)
                       for lang in _LATIN], axis=1)
    best = scores.argmax(axis=1)
    top = scores.max(axis=1)
    # A tie (one Spanish and one Portuguese word) tells nothing: the marketplace, else every lexicon.
    told = (top > 0) & ((scores == top[:, None]).sum(axis=1) == 1)
    out[told] = np.array(_LATIN, dtype=object)[best[told]]
    out[han] = "zh"
    out[kana] = "ja"
    return out

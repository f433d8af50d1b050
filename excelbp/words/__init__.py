"""Stage 3, the words: every text a workbook shows, one module per language (en, zh)."""

from __future__ import annotations

from . import en, zh

_BY_LANG = {"en": en.WORDS, "zh": zh.WORDS}


def words(lang: str) -> dict[str, str]:
    return _BY_LANG[lang]

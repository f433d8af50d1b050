"""Stage 3, the words: every text a workbook shows, one module per language (en, zh)."""

from __future__ import annotations

from . import en, en_how, zh, zh_how

_BY_LANG = {"en": {**en.WORDS, **en_how.WORDS}, "zh": {**zh.WORDS, **zh_how.WORDS}}


def words(lang: str) -> dict[str, str]:
    return _BY_LANG[lang]

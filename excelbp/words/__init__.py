"""Stage 3, the words: every text a workbook shows, one module per language (en, zh)."""

from __future__ import annotations

from . import en, en_hand, en_how, zh, zh_hand, zh_how

_BY_LANG = {
    "en": {**en.WORDS, **en_how.WORDS, **en_hand.WORDS},
    "zh": {**zh.WORDS, **zh_how.WORDS, **zh_hand.WORDS},
}


def words(lang: str) -> dict[str, str]:
    return _BY_LANG[lang]


def sheet_title(lang: str, sheet: str) -> str:
    """A sheet's name in the workbook's language: inputs, steps, training, images, …"""
    return words(lang)[f"sheet_{sheet}"]


def sheet_titles(lang: str) -> dict[str, str]:
    """Every sheet's name, for texts that mention them ({inputs}, {steps}, … in the words)."""
    return {k: sheet_title(lang, k) for k in ("inputs", "steps", "training", "images")} | {
        "how": words(lang)["how_title"]
    }


def rate_sheet_title(lang: str, j: int) -> str:
    """A learning-rate sweep's sheet for rate j (0-based): "Rate 1", "学习率 1"."""
    return words(lang)["sheet_rate"].format(n=j + 1)

"""What IronCalc cannot do with a workbook, said in one line.

Two kinds are found on the formula texts as the file holds them, before IronCalc runs:

- a function it lacks: each function name the formulas call is asked of a scratch IronCalc
  model (`=NAME()` comes out #NAME? only for a function it does not know);
- a comparison whose right-hand side is a parenthesised comparison, `(E7>=0.5)=(F7>=0.5)`
  (logistic's "right (1/0)" column). IronCalc 0.9.1's importer turns each formula into text again
  and drops those parentheses, then reads `((E7>=0.5)=F7)>=0.5`: a wrong value, not an error.
  Typed into a model the same formula is right; only files are affected (its
  stringify.rs wraps a comparison inside +, -, *, / but not inside another comparison).

A third explains a file IronCalc could not load: it reads a sheet's comments part only through
a relative Target ("../comments/comment1.xml"); given "/xl/comments/comment1.xml" it looks for
"xll/comments/comment1.xml" (worksheets.rs overwrites the first two characters with "xl") and
fails with "specified file not found in archive".
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

_CALL = re.compile(r"((?:_xlfn\.)?[A-Z][A-Z0-9.]*)\(")
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")  # string literals and quoted sheet names
_COMPARED_GROUP = re.compile(r"(?:<>|<=|>=|=|<|>)\s*\(")
_ENDS_OPERAND = set(",);=<>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_COMMENTS_TYPE = re.compile(rb"""\bType\s*=\s*["'][^"']*/comments["']""")
_ABSOLUTE_TARGET = re.compile(rb"""\bTarget\s*=\s*["']/""")


def first_unsupported(texts: Iterable[tuple[str, str, str]], known) -> str | None:
    """The first thing IronCalc would get wrong, as "lacks …" / "drops …" naming the cell;
    None if there is none. `texts`: (sheet title, cell, formula text without "="); `known(name)`
    says whether IronCalc has a function."""
    first_call: dict[str, str] = {}
    compared = None
    for title, cell, formula in texts:
        plain = _QUOTED.sub('""', formula)
        for name in _CALL.findall(plain):
            first_call.setdefault(name, f"{title}!{cell}")
        if compared is None and _COMPARED_GROUP.search(plain) and compares_a_comparison(plain):
            compared = f"{title}!{cell}: ={formula[:60]}"
    for name, where in first_call.items():
        if not known(name):
            return f"lacks the function {name} (first used in {where})"
    if compared is not None:
        return (
            "drops the parentheses around a comparison compared with another, reading "
            f"(a>=b)=(c>=d) as ((a>=b)=c)>=d ({compared})"
        )
    return None


def compares_a_comparison(formula: str) -> bool:
    """Whether a comparison operator's right-hand operand is exactly a parenthesised
    expression that itself compares at its top level (string literals already blanked)."""
    for m in _COMPARED_GROUP.finditer(formula):
        start = m.end() - 1
        end = _closing(formula, start)
        if end is None:
            continue
        after = formula[end + 1 :].lstrip()
        if (not after or after[0] in _ENDS_OPERAND) and _compares_at_top(formula[start + 1 : end]):
            return True
    return False


def _closing(text: str, start: int) -> int | None:
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return None


def _compares_at_top(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch in "=<>":
            return True
    return False


class FunctionProbe:
    """known(name): IronCalc knows the function; a scratch model is asked once per name."""

    def __init__(self, ironcalc):
        self.model, self.seen, self.row = ironcalc.create("probe"), {}, 0

    def __call__(self, name: str) -> bool:
        if name not in self.seen:
            self.row += 1
            self.model.set_user_input(0, self.row, 1, f"={name}()")
            self.model.evaluate()
            self.seen[name] = self.model.get_cell_value(0, self.row, 1) != "#NAME?"
        return self.seen[name]


def absolute_comments_target(path: Path) -> str | None:
    """Why IronCalc could not load the file, when it is its reading of an absolute comments
    Target: the sheet rels part that holds one; None otherwise. The file passed check_xlsx."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/_rels/") and name.endswith(".rels"):
                rels = _RELATIONSHIP.findall(z.read(name))
                if any(_COMMENTS_TYPE.search(r) and _ABSOLUTE_TARGET.search(r) for r in rels):
                    return (
                        "reads a sheet's comments only through a relative Target "
                        f"(../comments/…); {name} gives an absolute one"
                    )
    return None

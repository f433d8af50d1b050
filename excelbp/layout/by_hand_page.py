"""The By hand sheet's cells in the making: texts, and equations written as a label then
(operator, number) pairs, each number a `Num` the sheets stage turns into a live formula."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine.gradcheck import parameter_keys
from ..spec import Spec

PAIRS_PER_ROW = 10  # an equation's (operator, number) pairs before it goes on in the next row
FIRST_PAIR_COL = 2  # column B: the first operator; numbers in C, E, G, …


@dataclass(frozen=True)
class Num:
    """A live number: `step`, a step's cell read at the chosen step; or `expr`, Excel text
    over `deps` ({0}, {1}, …: step keys, read likewise, or (row, col) of cells of the page)
    whose value `value` computes from theirs."""

    step: tuple | None = None
    expr: str = ""
    deps: tuple = ()
    value: Callable[..., float] | None = field(default=None, compare=False)
    style: str = "real"


@dataclass(frozen=True)
class Text:
    text: str
    style: str = "text"


def short_name(spec: Spec, key: tuple) -> str:
    """The seeds' names: weights w1, w2, … and biases b1, b2, … in the contract's order."""
    same = [k for k in parameter_keys(spec.sizes, spec.bias) if k[0] == key[0]]
    return f"{key[0].lower()}{same.index(key) + 1}"


class Page:
    """Cells placed by (row, col), 1-based, and the row the next equation starts on."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Num | Text] = {}
        self.row = 1

    def text(self, row: int, col: int, text: str, style: str = "text") -> None:
        self.cells[(row, col)] = Text(text, style)

    def num(self, row: int, col: int, num: Num) -> tuple[int, int]:
        self.cells[(row, col)] = num
        return row, col

    def equation(self, label: str, pairs: list[tuple[str, Num | None]]) -> list[tuple[int, int]]:
        """One equation from the current row (a None number leaves its pair empty, to keep
        results in one column); the places of its pairs. A number's int deps are earlier
        pairs of the same equation."""
        self.text(self.row, 1, label, "label")
        out = []
        for k, (op, num) in enumerate(pairs):
            r, p = self.row + k // PAIRS_PER_ROW, k % PAIRS_PER_ROW
            out.append((r, FIRST_PAIR_COL + 2 * p + 1))
            if num is None:
                continue
            if op:  # a text "=" would read as a formula to openpyxl (and verify): " ="
                self.text(r, FIRST_PAIR_COL + 2 * p, " =" if op == "=" else op)
            deps = tuple(out[d] if isinstance(d, int) else d for d in num.deps)
            self.num(*out[-1], Num(num.step, num.expr, deps, num.value, num.style))
        self.row += max(1, -(-len(pairs) // PAIRS_PER_ROW))
        return out

    def heading(self, text: str, note: str | None = None) -> None:
        self.row += 1
        self.text(self.row, 1, text, "section")
        self.row += 1
        if note:
            self.text(self.row, 1, note, "note")
            self.row += 1

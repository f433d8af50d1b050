"""The By hand sheet's cells in the making: texts, as what they say (a key the sheets stage
puts in words), and equations written as a label then (operator, number) pairs, each
number a `Num` the sheets stage turns into a live formula."""

from __future__ import annotations

from dataclasses import dataclass

PAIRS_PER_ROW = 6  # pairs a row: three w × x terms; no wider than an update line (6 pairs)
FIRST_PAIR_COL = 2  # column B: the first operator; numbers in C, E, G, …


@dataclass(frozen=True)
class Num:
    """A live number: `step`, a step's cell read at the chosen step; or `calc`, what it
    computes of its `deps` (step keys, read likewise, or (row, col) of cells of the page):
    ("slope", l, j, times) f'(z) of unit j of layer l, times the step's cell `times` where
    not None (deps: z, a[, times]); ("product",) of its deps; ("same",) its one dep;
    ("decay",) the weight decay λ. The engine gives its value (engine/by_hand.py)."""

    step: tuple | None = None
    calc: tuple = ()
    deps: tuple = ()
    style: str = "real"


@dataclass(frozen=True)
class Text:
    """A text by what it says: ("word", key) · ("layer", l) · ("param", key) ·
    ("unit", l, j) · ("op", operator) · ("forward", l, j) · ("activation", l, j) ·
    ("loss", of_sample_1) · ("gradient", key, factors) · ("update", key, sgd)."""

    says: tuple
    style: str = "text"


class Page:
    """Cells placed by (row, col), 1-based, and the row the next equation starts on."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], Num | Text] = {}
        self.row = 1

    def text(self, row: int, col: int, says: tuple, style: str = "text") -> None:
        self.cells[(row, col)] = Text(says, style)

    def num(self, row: int, col: int, num: Num) -> tuple[int, int]:
        self.cells[(row, col)] = num
        return row, col

    def equation(self, label: tuple, pairs: list[tuple[str, Num | None]]) -> list[tuple[int, int]]:
        """One equation from the current row (a None number leaves its pair empty, to keep
        results in one column); the places of its pairs. A number's int deps are earlier
        pairs of the same equation; an operator "" writes none."""
        self.text(self.row, 1, label, "label")
        out = []
        for k, (op, num) in enumerate(pairs):
            r, p = self.row + k // PAIRS_PER_ROW, k % PAIRS_PER_ROW
            out.append((r, FIRST_PAIR_COL + 2 * p + 1))
            if num is None:
                continue
            if op:
                self.text(r, FIRST_PAIR_COL + 2 * p, ("op", op))
            deps = tuple(out[d] if isinstance(d, int) else d for d in num.deps)
            self.num(*out[-1], Num(num.step, num.calc, deps, num.style))
        self.row += max(1, -(-len(pairs) // PAIRS_PER_ROW))
        return out

    def heading(self, word: str, note: str | None = None) -> None:
        self.row += 1
        self.text(self.row, 1, ("word", word), "section")
        self.row += 1
        if note:
            self.text(self.row, 1, ("word", note), "note")
            self.row += 1

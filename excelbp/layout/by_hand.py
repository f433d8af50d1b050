"""Where the By hand sheet puts things: the step it works out, a picture of the network at
that step (units as coloured cells showing their values, the weights between the layers),
then the seeds' worked example line by line: each unit's forward pass, the loss, each
parameter's gradient as its chain-rule factors, each update.

Every number is a `Num`: a step's cell read at the chosen step, or what it computes of
other numbers of the page; every text a `Text`, by what it says. The sheets stage writes
the formulas and the words; the engine gives the values (layout/by_hand_values.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.gradcheck import parameter_keys
from ..spec import Spec
from ..words import sheet_title
from .by_hand_lines import gradient_lines, plain_sgd, update_lines
from .by_hand_page import FIRST_PAIR_COL, Num, Page, Text
from .grid import Block, Ref

MAX_PARAMS = 40  # a page a person reads through: one line per parameter, twice
MAX_UNITS = 8  # a layer the diagram shows in one column
STEP_ROW, DIAGRAM_TOP = 4, 8


@dataclass(frozen=True)
class HandSheet:
    title: str
    step: Block  # the step it works out (an input)
    cells: dict[tuple[int, int], Num | Text]  # (row, col), 1-based
    loss: Block
    grad: Block  # P cells, in the gradient check's parameter order
    new: Block
    keys: list[tuple]


def hand_names(sheet: HandSheet) -> dict[str, Ref]:
    """The contract's hand_step, hand_loss, hand_grad and hand_new → references."""
    blocks = {"step": sheet.step, "loss": sheet.loss, "grad": sheet.grad, "new": sheet.new}
    return {f"hand_{name}": Ref(sheet.title, block.ref()) for name, block in blocks.items()}


def shows_by_hand(spec: Spec) -> bool:
    """Small dense networks only: every unit in the diagram, a line per parameter."""
    return (
        spec.n_params <= MAX_PARAMS
        and max(spec.sizes) <= MAX_UNITS
        and not spec.in_place
        and spec.image_side is None
    )


def _diagram(spec: Spec, page: Page, keys: list[tuple]) -> int:
    """The network as cells: layer l's units in a column pair (name, value), the weights into
    it in the column pairs before it (the biases are in the equations: a narrower picture,
    whole on the first screen). Returns the rows it takes."""
    into = {l: [k for k in keys if k[1] == l and k[0] == "W"] for l in range(1, spec.n_layers + 1)}
    height = max([2 * max(spec.sizes) - 1, *(min(len(v), MAX_UNITS) for v in into.values())])

    def unit_row(n: int, j: int) -> int:
        return DIAGRAM_TOP + (round(j * (height - 1) / (n - 1)) if n > 1 else (height - 1) // 2)

    pair = 0
    for l, n in enumerate(spec.sizes):
        if l:
            group = into[l]
            for c in range(-(-len(group) // height)):
                for r, key in enumerate(group[c * height : (c + 1) * height]):
                    row, col = DIAGRAM_TOP + r, FIRST_PAIR_COL + 2 * pair
                    page.text(row, col, ("param", key), "group_params")
                    page.num(row, col + 1, Num(step=key, style="header_params"))
                pair += 1
        col = FIRST_PAIR_COL + 2 * pair
        caption = (
            ("word", "hand_inputs")
            if l == 0
            else ("word", "hand_outputs")
            if l == len(spec.sizes) - 1
            else ("layer", l)
        )
        page.text(DIAGRAM_TOP - 1, col, caption, "note")
        section = "step" if l == 0 else "update" if l == spec.n_layers else "forward"
        for j in range(n):
            row = unit_row(n, j)
            page.text(row, col, ("unit", l, j), f"group_{section}")
            key = ("x", 0, j) if l == 0 else ("a", 0, l, j)
            page.num(row, col + 1, Num(step=key, style=f"header_{section}"))
        pair += 1
    return height


def _forward(spec: Spec, page: Page) -> None:
    for l in range(1, spec.n_layers + 1):
        for j in range(spec.sizes[l]):
            pairs = []
            for i in range(spec.sizes[l - 1]):
                prev = ("x", 0, i) if l == 1 else ("a", 0, l - 1, i)
                pairs += [("=" if not i else "+", Num(step=("W", l, i, j))), ("×", Num(step=prev))]
            if spec.bias:
                pairs.append(("+", Num(step=("b", l, j))))
            pairs.append(("=", Num(step=("z", 0, l, j))))
            page.equation(("forward", l, j), pairs)
            if spec.act(l) != "linear":
                page.equation(("activation", l, j), [("=", Num(step=("a", 0, l, j)))])


def _loss(spec: Spec, page: Page) -> tuple[int, int]:
    L, K = spec.n_layers, spec.sizes[-1]
    pairs = []
    for k in range(K):
        pairs += [("pred", Num(step=("a", 0, L, k))), ("y", Num(step=("y", 0, k)))]
    if spec.batch > 1:
        pairs.append(("=", Num(step=("Lb", 0))))
        page.equation(("loss", True), pairs)
        return page.equation(("word", "hand_batch_loss"), [("=", Num(step=("loss",)))])[0]
    pairs.append(("=", Num(step=("loss",))))
    return page.equation(("loss", False), pairs)[-1]


def hand_sheet(spec: Spec) -> HandSheet | None:
    if not shows_by_hand(spec):
        return None
    keys = parameter_keys(spec.sizes, spec.bias)
    page = Page()
    page.text(1, 1, ("word", "hand_title"), "title")
    page.text(2, 1, ("word", "hand_note"), "note")
    if spec.batch > 1:
        page.text(3, 1, ("word", "hand_batch_note"), "note")
    step = Block(STEP_ROW, FIRST_PAIR_COL + 1, 1, 1)
    page.text(STEP_ROW, 1, ("word", "hand_step"), "label")
    page.text(STEP_ROW, step.col + 1, ("word", "hand_step_note"), "note")
    page.text(DIAGRAM_TOP - 2, 1, ("word", "hand_diagram"), "section")
    page.row = DIAGRAM_TOP + _diagram(spec, page, keys)
    page.heading("hand_forward", "hand_sample1" if spec.batch > 1 else None)
    _forward(spec, page)
    page.heading("hand_loss")
    loss = _loss(spec, page)
    page.heading("hand_gradients", "hand_grad_note" if spec.batch > 1 else None)
    grads = gradient_lines(spec, page, keys)
    page.heading("hand_updates", "hand_sgd_note" if plain_sgd(spec) else "hand_rule_note")
    news = update_lines(spec, page, keys, grads)
    column = lambda places: Block(places[0][0], places[0][1], len(places), 1)  # noqa: E731
    assert all(c == grads[0][1] for _, c in grads) and all(c == news[0][1] for _, c in news)
    return HandSheet(
        title=sheet_title(spec.lang, "by_hand"),
        step=step,
        cells=page.cells,
        loss=Block(*loss, 1, 1),
        grad=column(grads),
        new=column(news),
        keys=keys,
    )

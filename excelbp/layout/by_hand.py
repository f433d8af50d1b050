"""Where the By hand sheet puts things: the step it works out, a picture of the network at
that step (units as coloured cells showing their values, the weights between the layers),
then the seeds' worked example line by line: each unit's forward pass, the loss, each
parameter's gradient as its chain-rule factors, each update.

Every number is a `Num`: a step's cell read at the chosen step, or arithmetic on other
numbers of the page. The sheets stage writes both as formulas and works out their values.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.gradcheck import parameter_keys
from ..quantities import functions as fn
from ..quantities.names import classifier, dest, unit
from ..spec import Spec
from ..words import words
from .by_hand_lines import gradient_lines, plain_sgd, update_lines
from .by_hand_page import FIRST_PAIR_COL, Num, Page, Text, short_name
from .grid import Block, quoted, title

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


def hand_names(sheet: HandSheet) -> dict[str, str]:
    """The contract's hand_step, hand_loss, hand_grad and hand_new → references."""
    on = quoted(sheet.title)
    return {
        "hand_step": f"{on}!{sheet.step.ref()}",
        "hand_loss": f"{on}!{sheet.loss.ref()}",
        "hand_grad": f"{on}!{sheet.grad.ref()}",
        "hand_new": f"{on}!{sheet.new.ref()}",
    }


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
    w = words(spec.lang)
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
                    page.text(row, col, short_name(spec, key), "group_params")
                    page.num(row, col + 1, Num(step=key, style="header_params"))
                pair += 1
        col = FIRST_PAIR_COL + 2 * pair
        caption = (
            w["hand_inputs"]
            if l == 0
            else w["hand_outputs"]
            if l == len(spec.sizes) - 1
            else w["hand_layer"].format(l=l, act=spec.act(l))
        )
        page.text(DIAGRAM_TOP - 1, col, caption, "note")
        section = "step" if l == 0 else "update" if l == spec.n_layers else "forward"
        for j in range(n):
            row = unit_row(n, j)
            page.text(row, col, unit(spec, l, j), f"group_{section}")
            key = ("x", 0, j) if l == 0 else ("a", 0, l, j)
            page.num(row, col + 1, Num(step=key, style=f"header_{section}"))
        pair += 1
    return height


def _forward(spec: Spec, page: Page) -> None:
    for l in range(1, spec.n_layers + 1):
        for j in range(spec.sizes[l]):
            z = f"z {dest(spec, l, j)}"
            terms, pairs = [], []
            for i in range(spec.sizes[l - 1]):
                name = short_name(spec, ("W", l, i, j))
                terms.append(f"{name}·{unit(spec, l - 1, i)}")
                prev = ("x", 0, i) if l == 1 else ("a", 0, l - 1, i)
                pairs += [("=" if not i else "+", Num(step=("W", l, i, j))), ("×", Num(step=prev))]
            if spec.bias:
                terms.append(short_name(spec, ("b", l, j)))
                pairs.append(("+", Num(step=("b", l, j))))
            pairs.append(("=", Num(step=("z", 0, l, j))))
            if len(terms) > 6:  # a label reads on one line: the numbers show every term
                terms = [*terms[:3], "…", *terms[-2:]]
            page.equation(f"{z} = {' + '.join(terms)}", pairs)
            if spec.act(l) != "linear":
                label = f"{unit(spec, l, j)} = {spec.act(l)}({z})"
                page.equation(label, [("=", Num(step=("a", 0, l, j)))])


def _loss(spec: Spec, page: Page) -> tuple[int, int]:
    w = words(spec.lang)
    L, K = spec.n_layers, spec.sizes[-1]
    pairs = []
    for k in range(K):
        pred = "p" if classifier(spec) else "ŷ"
        pairs += [(pred, Num(step=("a", 0, L, k))), ("y", Num(step=("y", 0, k)))]
    if spec.batch > 1:
        pairs.append(("=", Num(step=("Lb", 0))))
        page.equation(f"L {w['hand_sample1']} = {fn.loss_words(spec.loss)}", pairs)
        return page.equation(
            w["hand_batch_loss"].format(B=spec.batch), [("=", Num(step=("loss",)))]
        )[0]
    pairs.append(("=", Num(step=("loss",))))
    return page.equation(f"L = {fn.loss_words(spec.loss)}", pairs)[-1]


def hand_sheet(spec: Spec) -> HandSheet | None:
    if not shows_by_hand(spec):
        return None
    w = words(spec.lang)
    keys = parameter_keys(spec.sizes, spec.bias)
    page = Page()
    page.text(1, 1, w["hand_title"], "title")
    page.text(2, 1, w["hand_note"], "note")
    if spec.batch > 1:
        page.text(3, 1, w["hand_batch_note"].format(B=spec.batch).strip(), "note")
    step = Block(STEP_ROW, FIRST_PAIR_COL + 1, 1, 1)
    page.text(STEP_ROW, 1, w["hand_step"], "label")
    page.text(STEP_ROW, step.col + 1, w["hand_step_note"].format(steps=spec.steps), "note")
    page.text(DIAGRAM_TOP - 2, 1, w["hand_diagram"], "section")
    page.row = DIAGRAM_TOP + _diagram(spec, page, keys)
    page.heading(w["hand_forward"], w["hand_sample1"] if spec.batch > 1 else None)
    _forward(spec, page)
    page.heading(w["hand_loss"])
    loss = _loss(spec, page)
    page.heading(w["hand_gradients"], w["hand_grad_note"] if spec.batch > 1 else None)
    grads = gradient_lines(spec, page, keys)
    page.heading(w["hand_updates"], w["hand_sgd_note"] if plain_sgd(spec) else w["hand_rule_note"])
    news = update_lines(spec, page, keys, grads)
    column = lambda places: Block(places[0][0], places[0][1], len(places), 1)  # noqa: E731
    assert all(c == grads[0][1] for _, c in grads) and all(c == news[0][1] for _, c in news)
    return HandSheet(
        title=title(spec.lang, "by_hand"),
        step=step,
        cells=page.cells,
        loss=Block(*loss, 1, 1),
        grad=column(grads),
        new=column(news),
        keys=keys,
    )

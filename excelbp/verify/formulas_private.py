"""Every use of the `formulas` package's (and schedula's) internals, fenced in one module.

fast.py (and the tests' oracle, tests/recalc_oracle.py) compile each formula *shape* the
translator leaves once with the `formulas` parser and replay its small dispatcher as a flat list
of calls to the same function objects, handing each input over as a `formulas.ranges.Ranges`, as
ExcelModel does, so that results agree bit for bit. That needs the dispatcher's node tables, the
Ranges constructor and a few constants of formulas 1.3 (pyproject pins < 1.4); `check()` names
in one line what an upgrade removed, and tests/test_architecture.py calls it.
"""

from __future__ import annotations

import datetime
import functools
import re

import numpy as np
import schedula as sh
from formulas import Parser
from formulas.errors import BaseError
from formulas.functions import replace_empty
from formulas.ranges import Ranges
from formulas.tokens.operand import Error, XlError
from openpyxl.utils.datetime import to_excel

from ..errors import InputError

ERRORS = Error.errors  # "#NUM!" -> XlError
EMPTY = sh.EMPTY
PLACEHOLDER = "_xbp"  # formulas reads `_xbp0` as a name, never as a cell
# Node attributes a straight replay honours (every input is always there, IF is eager);
# anything else (filters on a function, input domains ...) means the replay could differ.
_REPLAYABLE = {
    "type",
    "index",
    "inputs",
    "outputs",
    "function",
    "extra_inputs",
    "wait_inputs",
    "solve_cycle",
}
_CELL = Ranges.get_range("A1")  # any 1x1 range: used to reduce a result to one cell


def check() -> None:
    """Raise RuntimeError naming the first internal of `formulas` this module needs that the
    installed version lacks (or that no longer behaves as expected)."""
    import formulas

    version = getattr(formulas, "__version__", "?")
    try:
        t = Template(f"{PLACEHOLDER}0+1")
        got = t([as_ranges("S", 1, 1, 1, 1, np.asarray([[2.0]], object))])
    except Exception as e:  # noqa: BLE001 - any failure here is the message
        raise RuntimeError(
            f"formulas {version}: the compiled-formula internals excelbp's verify uses changed"
            f" ({type(e).__name__}: {e})"
        ) from None
    if got != 3.0 or not isinstance(ERRORS.get("#NUM!"), XlError):
        raise RuntimeError(f"formulas {version}: a compiled =A1+1 with A1 = 2 gave {got!r}, not 3")


def as_ranges(sheet_id: str, r1: int, c1: int, r2: int, c2: int, values: np.ndarray) -> Ranges:
    """A box of cell values as the Ranges object that formulas' functions expect."""
    from openpyxl.utils import get_column_letter

    ref = f"{get_column_letter(c1)}{r1}"
    if (r1, c1) != (r2, c2):
        ref += f":{get_column_letter(c2)}{r2}"
    rng = {
        "sheet_id": sheet_id,
        "r1": str(r1),
        "r2": str(r2),
        "n1": c1,
        "n2": c2,
        "c1": get_column_letter(c1),
        "c2": get_column_letter(c2),
        "ref": ref,
        "name": f"{sheet_id}!{ref}",
    }
    out = Ranges((rng,), {rng["name"]: (rng, values)})
    out._value = values  # what .value would work out (a view of values), minus its range algebra
    return out


def full(shape: tuple[int, int], value) -> np.ndarray:
    """An object array of `value`: np.full would store EMPTY or an XlError (str subclasses) as
    a plain str, "empty" or "#N/A", which formulas' functions then read as text."""
    out = np.empty(shape, object)
    out.fill(value)
    return out


def literal(value, data_type: str):
    """A typed-in cell's value as formulas' functions expect it."""
    if data_type == "e":
        return ERRORS.get(str(value).upper(), value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return to_excel(value)  # a date typed into a cell is a serial number to Excel
    return value


@functools.lru_cache(maxsize=512)  # templates hold no state: share them between workbooks
def compiled(text: str) -> Template:
    return Template(text)


def plain(v):
    """Python float/int/bool/str for the caller; Excel errors as their string."""
    if isinstance(v, XlError):
        return str(v)
    if isinstance(v, np.generic):
        return v.item()
    return 0 if v is sh.EMPTY else v


class Template:
    """One compiled template, flattened into the calls its dispatcher would make."""

    def __init__(self, template: str):
        try:
            func = Parser(True).ast("=" + template)[1].compile()
        except (BaseError, ValueError) as ex:
            raise InputError(f"cannot parse formula ={template} ({ex!r})") from None
        self.plan = []  # per input: index of the reference for a placeholder, else a value
        for k in func.inputs:
            if re.fullmatch(f"{PLACEHOLDER.upper()}[0-9]+", k):
                self.plan.append(int(k[len(PLACEHOLDER) :]))
            elif re.fullmatch(r"[A-Z_\\][\w.]*", k):  # a name nobody defined, as in Excel
                self.plan.append(np.asarray([[ERRORS["#NAME?"]]], object))
            else:  # a reference the tokenizer missed (A:A, R1C1 ...)
                raise InputError(f"unsupported reference {k} in ={template}")
        dsp = func.dsp
        self.env = {k: v["value"] for k, v in dsp.default_values.items()}
        self.names, self.out, self.steps = list(func.inputs), func.outputs[0], []
        known = set(self.env) | set(func.inputs)
        todo = [n for n in dsp.function_nodes.values() if n["outputs"][0] not in known]
        while todo:  # topological order of the function nodes
            ready = [n for n in todo if all(i in known for i in n["inputs"])]
            if not ready or any(len(n["outputs"]) != 1 or set(n) - _REPLAYABLE for n in ready):
                raise InputError(f"unsupported formula ={template}")
            for n in ready:
                o = n["outputs"][0]
                filters = () if o == self.out else dsp.nodes[o].get("filters", ())
                self.steps.append((n["function"], n["inputs"], o, filters))
                known.add(o)
            todo = [n for n in todo if n["outputs"][0] not in known]
        self.out_filters = dsp.nodes[self.out].get("filters", ())

    def __call__(self, args):
        v = self.whole(args)
        if isinstance(v, np.ndarray):
            if v.shape == (1, 1):  # the usual case, and what the reduction below would keep
                v = v[0, 0]
            else:  # as ExcelModel: empty -> 0, then cut to the cell's 1x1 shape (top-left)
                v = Ranges().set_value(_CELL, replace_empty(v)).values["A1"][1][0, 0]
        return 0 if v is sh.EMPTY else v

    def whole(self, args):
        """The formula's result before it is cut to one cell: an array formula's (arrays.py)."""
        env = dict(self.env)
        env.update(zip(self.names, args))
        for fn, ins, o, filters in self.steps:
            v = fn(*[env[i] for i in ins])
            for f in filters:
                v = f(v)
            if v is sh.NONE:  # the dispatcher would stop here: an input had no value
                raise ValueError(f"{fn.__name__} got no value")
            env[o] = v
        v = env[self.out]
        for f in self.out_filters:
            v = f(v)
        return v

"""Translate one formula shape into a plain Python function, compiled once for every cell of it.

A *template* is a formula whose references are placeholders (``\\0``, in order); the cells of a
shape differ only in where those references point, which the function receives as parameters.
The function computes what the `formulas` package computes, operation by operation, in the
same floating-point steps (Python's float arithmetic where `formulas` uses it, the same NumPy
ufuncs and reductions where it uses NumPy), so that results agree bit for bit; it does so only
on the plain path: every input a finite number, every intermediate finite. Anything else (an
empty or text cell, an error, a zero divisor, an overflow, arrays of unequal shapes) raises
`Slow`, and the caller evaluates that one cell with `formulas` itself. A template using
anything outside the small grammar below is not translated at all (`translate` returns None).

Grammar (formula_tree.py parses it): numbers, references, + - * / ^ % and unary minus, the
comparisons, parentheses, TRUE/FALSE, and SUMPRODUCT SUM AVERAGE MAX MIN EXP LN TANH SQRT ABS
MOD IF ROWS COLUMNS. No strings, no spaces (the intersection operator), no other functions. An
array formula's anchor (`whole`) returns its whole result, and may also use MMULT and
TRANSPOSE (arrays.py) and combine arrays of which one is a single row, column or cell of the
other's size.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from . import arrays as _arrays  # `arrays` is a local name below
from .formula_tree import COMPARE as _COMPARE
from .formula_tree import Parser, Unsupported


class Slow(Exception):
    """This cell leaves the plain path: evaluate it with `formulas`."""


_UNARY = {"EXP": "np.exp", "LN": "np.log", "TANH": "np.tanh", "SQRT": "np.sqrt", "ABS": "np.abs"}
_ARRAY_ARGS = {"SUMPRODUCT", "SUM", "AVERAGE", "MAX", "MIN"}


class _Emitter:
    def __init__(self, refs: tuple[tuple[int, bool], ...], whole: bool = False):
        self.refs, self.lines, self.n, self.indent, self.whole = refs, [], 0, 1, whole

    def line(self, text: str) -> None:
        self.lines.append("    " * self.indent + text)

    def temp(self, expr: str, check: str | None = "t") -> str:
        self.n += 1
        name = f"t{self.n}"
        self.line(f"{name} = {expr}")
        if check == "t":  # inf - inf and nan - nan are nan, which is true; finite: 0.0, false
            self.line(f"if {name} - {name}: raise Slow")
        elif check == "a":
            self.line(f"if not np.isfinite({name}).all(): raise Slow")
        return name

    def ref(self, i: int, array: bool) -> tuple[str, str]:
        mask, scalar = self.refs[i]
        row = f"R{i}" if mask & 1 else f"r + R{i}"
        col = f"C{i}" if mask & 2 else f"c + C{i}"
        if not array:
            if not scalar:
                raise Unsupported("a range where a value is wanted")
            return self.temp(f"A{i}.item({row}, {col})", check="t"), "s"
        if not scalar and ((mask & 3) << 2) != (
            mask & 12
        ):  # A$1:B$2 and $A1:$B2 move as one block; A1:$B$2 does not
            raise Unsupported("corners absolute in different ways")
        y, x = self.temp(row, None), self.temp(col, None)
        h, w = ("1", "1") if scalar else (f"H{i}", f"W{i}")
        self.line(f"if {y} + {h} > A{i}.shape[0] or {x} + {w} > A{i}.shape[1]: raise Slow")
        return self.temp(f"A{i}[{y}:{y} + {h}, {x}:{x} + {w}]", "a"), "a"

    def scalar(self, node) -> str:
        v, kind = self.value(node, False)
        return v

    def value(self, node, array: bool) -> tuple[str, str]:
        tag = node[0]
        if tag == "num":
            return repr(int(node[1]) if node[1].isdigit() else float(node[1])), "s"
        if tag == "bool":
            return repr(node[1]), "s"
        if tag == "ref":
            return self.ref(node[1], array)
        if tag == "neg":
            v, kind = self.value(node[1], array)
            return self.temp(f"-{v}", None), kind
        if tag == "pct":
            return self.temp(f"{self.scalar(node[1])} / 100.0"), "s"
        if tag == "bin":
            return self.binary(node[1], node[2], node[3], array)
        return self.call(node[1], node[2], array)

    def binary(self, op: str, left, right, array: bool) -> tuple[str, str]:
        if op in _COMPARE:
            a, b = self.scalar(left), self.scalar(right)
            self.line(f"if (type({a}) is bool) is not (type({b}) is bool): raise Slow")
            return self.temp(f"{a} {_COMPARE[op]} {b}", None), "s"
        a, ka = self.value(left, array)
        b, kb = self.value(right, array)
        if op == "^":
            if "a" in (ka, kb):
                raise Unsupported("array power")
            t = self.temp(f"float({a}) ** float({b})", None)
            self.line(f"if type({t}) is not float or {t} - {t}: raise Slow")
            return t, "s"
        if "a" in (ka, kb):
            if (
                ka == kb == "a"
            ):  # an anchor's arrays repeat a single row or column, as formulas does
                self.line(
                    f"if not fits({a}.shape, {b}.shape): raise Slow"
                    if self.whole
                    else f"if {a}.shape != {b}.shape: raise Slow"
                )
            return self.temp(f"{a} {op} {b}", "a"), "a"
        return self.temp(f"{a} {op} {b}"), "s"

    def call(self, name: str, args: list, array: bool) -> tuple[str, str]:
        if name in ("MMULT", "TRANSPOSE"):
            return _arrays.emit(self, name, args)
        if name in _UNARY and len(args) == 1:
            v, kind = self.value(args[0], array)
            if kind == "a":
                return self.temp(f"{_UNARY[name]}({v})", "a"), "a"
            return self.temp(f"{_UNARY[name]}(float({v}))"), "s"
        if name in _ARRAY_ARGS and args:
            vals = [self.value(a, True) for a in args]
            if name == "SUMPRODUCT":
                arrays = [v if k == "a" else f"np.array([[float({v})]])" for v, k in vals]
                for v in arrays[1:]:
                    self.line(f"if {v}.shape != {arrays[0]}.shape: raise Slow")
                return self.temp(f"np.sum({' * '.join(f'{v}.ravel()' for v in arrays)})"), "s"
            if name == "SUM":
                parts = [f"{v}.ravel()" if k == "a" else f"[float({v})]" for v, k in vals]
                return (
                    self.temp(
                        f"np.sum(np.concatenate(({', '.join(parts)},)))"
                        if len(parts) > 1
                        else f"np.sum({parts[0]})"
                    ),
                    "s",
                )
            for v, k in vals:  # AVERAGE, MAX, MIN count numbers only: a TRUE is not one
                if k == "s":
                    self.line(f"if type({v}) is bool: raise Slow")
            if name == "AVERAGE":
                parts = [f"{v}.ravel()" if k == "a" else f"[{v}]" for v, k in vals]
                return self.temp(f"np.mean(np.concatenate(({', '.join(parts)},)))"), "s"
            items = []
            for v, k in vals:
                if k == "a":
                    self.line(f"if np.isnan({v}).any(): raise Slow")
                    items.append(f"*{v}.ravel().tolist()")
                else:
                    items.append(v)
            return self.temp(f"{name.lower()}([{', '.join(items)}])", None), "s"
        if name in ("ROWS", "COLUMNS") and len(args) == 1 and args[0][0] == "ref":
            # the range's shape, whatever its cells hold (a diverged run's errors included);
            # without this, one =ROWS(loss) made `formulas` load its function table (0.5 s)
            _, scalar = self.refs[args[0][1]]
            return ("1" if scalar else f"{'H' if name == 'ROWS' else 'W'}{args[0][1]}"), "s"
        if name == "MOD" and len(args) == 2:
            x, y = (
                self.temp(f"float({self.scalar(args[0])})", None),
                self.temp(f"float({self.scalar(args[1])})", None),
            )
            self.line(f"if {y} == 0: raise Slow")
            return self.temp(f"np.mod({x}, {y})"), "s"
        if name == "IF" and len(args) in (2, 3):
            cond = self.scalar(args[0])
            self.n += 1
            out = f"t{self.n}"
            self.line(f"if {cond}:")
            self.indent += 1
            self.line(f"{out} = {self.scalar(args[1])}")
            self.indent -= 1
            self.line("else:")
            self.indent += 1
            self.line(f"{out} = {self.scalar(args[2]) if len(args) == 3 else 'False'}")
            self.indent -= 1
            return out, "s"
        raise Unsupported(name)


@functools.lru_cache(maxsize=4096)
def translate(
    template: str, refs: tuple[tuple[int, bool], ...], whole: bool = False
) -> Callable | None:
    """f(r, c, params) for the template, or None where it leaves the grammar. `refs`: per
    placeholder, its absolute mask (1 row, 2 column; a range: all or none) and whether it is
    one cell; params: per placeholder, the target sheet's value array, its row and column
    (offsets where relative) and, for a range, its height and width. `whole`: an array
    formula's anchor, whose function may return a 2-D float64 array (arrays.spread places it)."""
    try:
        parser = Parser(template)
        tree = parser.parse()
        if parser.refs != len(refs):
            return None
        em = _Emitter(refs, whole)
        result = em.value(tree, True)[0] if whole else em.scalar(tree)
    except (Unsupported, ValueError, IndexError, RecursionError):
        return None
    unpack = ", ".join(
        f"A{i}, R{i}, C{i}" + ("" if scalar else f", H{i}, W{i}")
        for i, (_, scalar) in enumerate(refs)
    )
    body = [f"    {unpack}, = P"] if refs else []
    source = "def f(r, c, P):\n" + "\n".join(body + em.lines + [f"    return {result}"]) + "\n"
    scope = {"np": np, "Slow": Slow, "mmult": _arrays.mmult, "fits": _arrays.fits}
    exec(compile(source, "<formula " + template[:60].replace("\x00", "@") + ">", "exec"), scope)  # noqa: S102 - our own generated code
    return scope["f"]

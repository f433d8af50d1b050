"""One formula against what Excel 2010 accepts (WORKBOOK.md, "What Excel must accept").

`formula_limits` is what verify applies before it evaluates anything: length, nesting and a
function's arguments, found in one pass over the tokens, so that a formula nested 20,000 deep
costs what its bytes cost. `Formula` adds the rest, on a parse that runs only once those
limits hold (its recursion is then at most 64 levels deep): functions against Excel 2010's
list and prefix, references within the sheet and to sheets that exist, defined names, and no
dependence on implicit intersection (a range or array where Excel wants one value, outside
SUMPRODUCT or an array formula: Excel 2010 would read one cell of it, Excel 365 would spill
it). Its tokens are formula_tokens.py's, as everywhere in verify: references are marked,
then the marked text is read.

Nesting counts parentheses, a function's and grouping ones alike: stricter than Excel, which
counts functions, where a formula nests bare parentheses (excelbp's do not, 64 deep).
"""

from __future__ import annotations

import re

from openpyxl.utils import column_index_from_string

from .excel_functions import ARRAY_RESULT, EITHER, ELEMENTWISE, EXCEL_2007, EXCEL_2010, RANGE_ARGS
from .excel_rules import needs_quotes
from .formula_tokens import TOKEN, is_name, tokens

MAX_CHARS = 8_192
MAX_NESTING = 64
MAX_ARGS = 255
MAX_ROW, MAX_COL = 1_048_576, 16_384
_COLUMN = re.compile(r"[A-Z]{1,3}")

_KNOWN = EXCEL_2007 | EXCEL_2010 | EITHER  # an unknown function's arguments are not judged
# binary operators by precedence, loosest first (":" binds tighter than any, in `primary`)
_BINARY = {
    op: p
    for p, ops in enumerate(["= <> < > <= >=", "&", "+ -", "* /", "^"], 1)
    for op in ops.split()
}
_IMPLICIT = (
    "array evaluation: a range or array where Excel wants one value, outside SUMPRODUCT "
    "or an array formula (Excel 2010 takes one cell of it)"
)


def formula_limits(text: str) -> str | None:
    """Why Excel refuses the formula on its size alone (nesting, a function's arguments,
    length), or None; one pass over its tokens, nothing recursive."""
    if len(text) > 64 * MAX_CHARS:
        return f"formula length: {len(text):,} characters, Excel takes at most {MAX_CHARS:,}"
    opened = text.count("(") + text.count("{")
    if len(text) <= MAX_CHARS and opened <= MAX_NESTING and text.count(",") < MAX_ARGS:
        return None  # cannot be nested deeper than it opens, nor take more than its commas + 1
    stack: list[list] = []  # per open parenthesis or brace: [function or None, its arguments]
    deepest, widest = 0, (0, "")
    for kind, v in tokens(text):
        if kind == "call" or v in ("(", "{"):
            stack.append([v if kind == "call" else None, 1])
            deepest = max(deepest, len(stack))
        elif v in (")", "}") and stack:
            stack.pop()
        elif v == "," and stack and stack[-1][0] is not None:
            stack[-1][1] += 1
            widest = max(widest, (stack[-1][1], stack[-1][0]))
    if deepest > MAX_NESTING:
        return f"nesting: {deepest:,} levels of parentheses, Excel takes at most {MAX_NESTING}"
    if widest[0] > MAX_ARGS:
        return (
            f"arguments: {widest[1]} with {widest[0]:,} arguments, Excel takes at most {MAX_ARGS}"
        )
    if len(text) > MAX_CHARS:
        return f"formula length: {len(text):,} characters, Excel takes at most {MAX_CHARS:,}"
    return None


class _Bad(Exception):
    """The formula does not parse."""


class Formula:
    """The findings on one formula. `names`: defined name (upper case) → whether it stands for
    a range of several cells; `sheets`: the workbook's sheet names; `array`: an array formula's
    text; `value`: a cell's formula, whose result must be one value."""

    def __init__(
        self,
        text: str,
        names: dict[str, bool],
        sheets: set[str],
        *,
        array: bool = False,
        value: bool = True,
    ):
        self.names, self.sheets, self.found = names, {s.upper() for s in sheets}, []
        limit = formula_limits(text)
        if limit is not None:
            self.found.append(limit)
            return
        self.kinds: list[str] = []
        self.toks = [t for t in tokens(self._mark(text)) if t[0] != "space"]
        self.i = self.r = 0
        try:
            kind = self.expr("array" if array else "plain")
            if self.toks[self.i][0] != "end":
                raise _Bad
        except _Bad:
            self.found.append(f"syntax: Excel cannot read the formula (at token {self.i + 1})")
            return
        if value and not array and kind != "S":
            self.note(f"{_IMPLICIT}: the formula's result is a range")

    def note(self, finding: str) -> None:
        if finding not in self.found:
            self.found.append(finding)

    def _mark(self, text: str) -> str:
        """References and defined names replaced by the tokenizer's mark, each kind noted."""
        out, pos = [], 0
        for m in TOKEN.finditer(text):
            if m["c1"]:
                self.reference(m)
                self.kinds.append(
                    "R" if m["c2"] and (m["c1"], m["r1"]) != (m["c2"], m["r2"]) else "S"
                )
            elif is_name(m, text):
                name = m["ident"].upper()
                if _COLUMN.fullmatch(name) and ":" in (
                    text[m.end() : m.end() + 1],
                    text[m.start() - 1 : m.start()],
                ):
                    self.kinds.append("R")  # one end of a range of whole columns, A:C
                elif name not in self.names:
                    if name not in ("TRUE", "FALSE"):
                        self.note(
                            f"name: {m['ident'][:40]} is not a defined name (#NAME? in Excel)"
                        )
                    continue
                else:
                    self.kinds.append("R" if self.names[name] else "S")
            else:
                continue
            out += (text[pos : m.start()], "\x00")
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)

    def reference(self, m: re.Match) -> None:
        sheet = m["sheet"]
        if sheet is not None:
            quoted = sheet[0] == "'"
            title = sheet[1:-1].replace("''", "'") if quoted else sheet
            if title.upper() not in self.sheets:
                self.note(
                    f"reference: {m.group(0)[:40]} names no sheet of the workbook (#REF! in Excel)"
                )
            elif not quoted and needs_quotes(title):
                self.note(f"reference: sheet {title[:31]} must be quoted ('{title[:31]}'!)")
        for c, r in ((m["c1"], m["r1"]), (m["c2"], m["r2"])):
            if c and (
                column_index_from_string(c.lstrip("$").upper()) > MAX_COL
                or int(r.lstrip("$")) > MAX_ROW
            ):
                self.note(
                    f"reference: {m.group(0)[:40]} lies past XFD1048576, the last cell of a sheet"
                )

    # ---- the parse: precedence climbing, each call returning the value's kind: S one value,
    # R a range of cells, A an array; `ctx`: plain, sumproduct (inside its arguments), array
    def peek(self) -> tuple[str, str]:
        return self.toks[self.i]

    def expr(self, ctx: str, floor: int = 1) -> str:
        kind = self.unary(ctx)
        while True:
            t, v = self.peek()
            if t not in ("op", "sym") or v not in _BINARY or _BINARY[v] < floor:
                return kind
            self.i += 1
            kind = self.combine(ctx, kind, self.expr(ctx, _BINARY[v] + 1))

    def combine(self, ctx: str, *kinds: str) -> str:
        if all(k == "S" for k in kinds):
            return "S"
        if ctx == "plain":
            self.note(_IMPLICIT)
            return "S"
        return "A"

    def unary(self, ctx: str) -> str:
        if self.peek() in (("op", "-"), ("op", "+")):
            self.i += 1
            return self.combine(ctx, self.unary(ctx))
        kind = self.primary(ctx)
        while self.peek() == ("op", "%"):
            self.i += 1
            kind = self.combine(ctx, kind)
        return kind

    def primary(self, ctx: str) -> str:
        t, v = self.peek()
        self.i += 1
        if t == "ref":
            self.r += 1
            kind = self.kinds[self.r - 1]
        elif t in ("num", "str", "err", "name"):
            kind = "S"
        elif (t, v) == ("op", "("):
            kind = self.expr(ctx)
            self.expect(")")
        elif (t, v) == ("sym", "{"):  # an array constant
            while self.peek() not in (("sym", "}"), ("end", "")):
                self.i += 1
            self.expect("}")
            kind = "A"
        elif t == "call":
            kind = self.call(v, ctx)
        else:
            raise _Bad
        while self.peek() == ("sym", ":"):  # the range operator: A1:INDEX(...)
            self.i += 1
            self.primary(ctx)
            kind = "R"
        return kind

    def expect(self, close: str) -> None:
        if self.peek()[1] != close:
            raise _Bad
        self.i += 1

    def call(self, name: str, ctx: str) -> str:
        base = self.function(name)
        if base in ARRAY_RESULT and ctx != "array":
            self.note(f"array evaluation: {base} returns an array, only in an array formula")
        if ctx == "array" or base == "SUMPRODUCT" or (ctx == "sumproduct" and base in ELEMENTWISE):
            sub = "sumproduct" if ctx == "plain" else ctx  # its arguments are evaluated as arrays
        else:
            sub = "plain"
        args: list[str] = []
        while self.peek() != ("op", ")"):
            if self.peek() == ("end", ""):
                raise _Bad
            kind = "S" if self.peek() == ("op", ",") else self.expr(sub)  # or an empty argument
            n = len(args)
            takes_range = (
                base == "SUMPRODUCT"
                or base in ARRAY_RESULT
                or base not in _KNOWN
                or (base in RANGE_ARGS and (RANGE_ARGS[base] is None or n in RANGE_ARGS[base]))
            )
            if kind != "S" and not takes_range and sub == "plain":
                self.note(_IMPLICIT)
            args.append(kind)
            if self.peek() == ("op", ","):
                self.i += 1
                if self.peek() == ("op", ")"):
                    args.append("S")
        self.i += 1
        if base in ARRAY_RESULT or (sub != "plain" and base in ELEMENTWISE and set(args) != {"S"}):
            return "A"
        return "R" if base in ("OFFSET", "INDIRECT") else "S"

    def function(self, name: str) -> str:
        """The function's name without its prefix, noting a name Excel 2010 does not know."""
        base = name[6:] if name.startswith("_XLFN.") else name
        if (
            base in EITHER
            or (base in EXCEL_2010 and base != name)
            or (base in EXCEL_2007 and base == name)
        ):
            return base
        if base in EXCEL_2010:
            self.note(f"function: {base} must be stored _xlfn.{base} (added in Excel 2010)")
        elif base in EXCEL_2007:
            self.note(f"function: {base} is an Excel 2007 function, stored without _xlfn.")
        else:
            self.note(f"function: {name[:40]} is not an Excel 2010 function (#NAME? in Excel 2010)")
        return base

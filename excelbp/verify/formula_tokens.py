"""verify's one formula tokenizer: every reader of a formula's text goes through TOKEN.

One pattern, tried at each position in this order: a string or an error value, matched whole
so that nothing inside them reads as a reference; a reference (a cell or a range, a sheet
quoted or not), not followed by what would make it a name or a call; the mark ``\\x00`` that
stands for a reference in a template (shapes.py); a number, swallowed whole so that 1E5 is
not read as cell E5; a name (a call when "(" follows); an operator; spaces; the other symbols.

Its users: shapes.py marks references and splices in defined names (each new formula text),
fast_read.py finds which digit runs are relative row numbers, formula_code.py parses a
template, excel_formula.py checks a formula against Excel 2010.
"""

from __future__ import annotations

import re

# fmt: off
TOKEN = re.compile(r"""
    (?P<str>"(?:[^"]|"")*")
  | (?P<err>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA))
  | (?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_\\][\w.]*)!)?
    (?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?[1-9][0-9]*)
    (?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?[1-9][0-9]*))?(?![\w.(!])
  | (?P<mark>\x00)
  | (?P<num>[0-9]+\.?[0-9]*(?:[Ee][+-]?[0-9]+)?|\.[0-9]+(?:[Ee][+-]?[0-9]+)?)
  | (?P<ident>[A-Za-z_\\][\w.]*)(?P<call>\()?
  | (?P<op><>|<=|>=|[-+*/^=<>%(),])
  | (?P<space>\s+)
  | (?P<sym>[&:{};!])
  | (?P<other>.)
""", re.X | re.S)
# fmt: on
# The digit runs of a formula's text (bytes in the cell reader's hot loop, text once per new
# skeleton): fast_read.py keys formulas by what lies between them.
DIGITS = re.compile(rb"([0-9]+)")
DIGIT_RUNS = re.compile(DIGITS.pattern.decode())


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each token, then ("end", ""): ref (a reference or its mark), num, call
    (a name and its "(", upper-cased as a name), name, op, str, err, space, sym (& : { } ; !),
    other."""
    out = []
    for m in TOKEN.finditer(text):
        if m["c1"] is not None or m["mark"] is not None:
            out.append(("ref", m.group()))
        elif m["ident"] is not None:
            out.append(("call" if m["call"] else "name", m["ident"].upper()))
        else:
            out.append((m.lastgroup, m.group()))
    out.append(("end", ""))
    return out


def is_name(m: re.Match, text: str) -> bool:
    """Whether the token is a name that may be a defined one: not a function's, not a sheet's."""
    return bool(m["ident"]) and not m["call"] and not text.startswith("!", m.end())

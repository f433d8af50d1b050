"""A template in formula_code.py's grammar, parsed into a tree that its emitter turns into code.

The tree's nodes are tuples: ("num", text), ("ref", index of the placeholder), ("bool", value),
("neg", node), ("pct", node), ("bin", operator, left, right), ("call", NAME, [arguments]).
A template with anything outside the grammar (a string, a space, an error value, a symbol
such as & or :) raises `Unsupported`, and the translator leaves that shape to `formulas`.
"""

from __future__ import annotations

from .formula_tokens import tokens

COMPARE = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}


class Unsupported(Exception):
    """The template leaves the grammar."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out = tokens(text)
    for kind, v in out:
        if kind not in ("ref", "num", "call", "name", "op", "end"):
            raise Unsupported(v)
    return out


class Parser:
    """Excel's precedence: comparison < & < + - < * / < ^ < % < unary minus."""

    def __init__(self, text: str):
        self.toks, self.i, self.refs = _tokens(text), 0, 0

    def peek(self):
        return self.toks[self.i]

    def take(self, *ops):
        kind, v = self.toks[self.i]
        if kind == "op" and v in ops:
            self.i += 1
            return v
        return None

    def parse(self):
        node = self.compare()
        if self.peek()[0] != "end":
            raise Unsupported("trailing")
        return node

    def binary(self, ops, sub):
        node = sub()
        while (op := self.take(*ops)) is not None:
            node = ("bin", op, node, sub())
        return node

    def compare(self):
        return self.binary(tuple(COMPARE), self.additive)

    def additive(self):
        return self.binary(("+", "-"), self.multiplicative)

    def multiplicative(self):
        return self.binary(("*", "/"), self.power)

    def power(self):
        return self.binary(("^",), self.unary)

    def unary(self):
        if self.take("-"):
            return ("neg", self.unary())
        if self.take("+"):
            return self.unary()
        node = self.primary()
        while self.take("%"):
            node = ("pct", node)
        return node

    def primary(self):
        kind, v = self.toks[self.i]
        self.i += 1
        if kind == "num":
            return ("num", v)
        if kind == "ref":
            self.refs += 1
            return ("ref", self.refs - 1)
        if kind == "name" and v in ("TRUE", "FALSE"):
            return ("bool", v == "TRUE")
        if kind == "call":
            args = []
            if not self.take(")"):
                args.append(self.compare())
                while self.take(","):
                    args.append(self.compare())
                if not self.take(")"):
                    raise Unsupported("call")
            return ("call", v, args)
        if kind == "op" and v == "(":
            node = self.compare()
            if not self.take(")"):
                raise Unsupported("paren")
            return node
        raise Unsupported(v)

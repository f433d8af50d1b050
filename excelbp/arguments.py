"""The command line's words: every command, option and help text, and how each option's text
becomes a value (a bad one is a one-line error, exit status 2, as every other bad input)."""

from __future__ import annotations

import argparse
import functools
from pathlib import Path

from . import __version__
from .errors import InputError
from .spec.network import GRADCHECK_DEFAULT, GRADCHECK_LIMIT, MAX_RATES
from .spec.optimizers import HYPERPARAMETERS, OPTIMIZERS, option_help
from .spec.options import DEFAULTS
from .spec.templates import DEFAULT_TEMPLATE, load_template

DEFAULT_OUTPUT_DIR = Path("output")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(message)


def _layers(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes separated by commas, e.g. 2,3,1; got {text!r}"
        ) from None
    return sizes


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, got {text!r}") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number, got {text!r}") from None


def _default(key: str, shown=str) -> str:
    """'default: the template's (linear: 0.001), 0.1 for a custom network'."""
    value = _default_template().get(key, DEFAULTS[key])
    return (
        f"default: the template's ({DEFAULT_TEMPLATE}: {shown(value)}), {shown(DEFAULTS[key])} for"
        " a custom network"
    )


@functools.lru_cache(maxsize=1)
def _default_template() -> dict:
    return load_template(DEFAULT_TEMPLATE)


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="excelbp",
        description="Excel workbooks in which a neural network trains itself by backpropagation.",
        epilog=(
            "example: excelbp build --steps 20    (the seed demo, to output/linear.xlsx)\n"
            "         excelbp build --help      (the options of a command)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"excelbp {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(
        dest="command", title="commands", metavar="COMMAND", parser_class=_Parser
    )

    b = sub.add_parser(
        "build",
        help="write a workbook",
        description="Write a workbook in which the network trains step by step in live formulas.",
        epilog=(
            "example: excelbp build --steps 20    (the seed demo, to output/linear.xlsx)\n        "
            " excelbp build --layers 2,2,2 --activation sigmoid --loss half_sse --lr 0.5 --steps"
            " 1\n         (a custom network, to output/2-2-2-sigmoid-half_sse.xlsx)"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument(
        "--template",
        metavar="NAME",
        help=(
            f"a template name (see `excelbp templates`); default {DEFAULT_TEMPLATE}, or none when"
            " --layers is given (a custom network)"
        ),
    )
    b.add_argument(
        "--steps",
        type=_int,
        metavar="N",
        help=f"number of training steps (one row or block each); {_default('steps')}",
    )
    b.add_argument("--lr", type=_float, metavar="RATE", help=f"learning rate; {_default('lr')}")
    b.add_argument(
        "--batch",
        type=_int,
        metavar="B",
        help=f"samples per step (the gradient is their mean); {_default('batch')}",
    )
    b.add_argument(
        "--layers",
        type=_layers,
        metavar="SIZES",
        help=(
            "layer sizes from inputs to outputs, e.g. 2,3,1; without --template, a custom network;"
            f" default: the template's ({DEFAULT_TEMPLATE}:"
            f" {','.join(map(str, _default_template()['layers']))})"
        ),
    )
    b.add_argument(
        "--activation",
        metavar="NAME[,NAME…]",
        help=(
            "linear, sigmoid, tanh, relu or leaky_relu: one name for every layer (the last as the"
            " loss needs: softmax for cross_entropy, sigmoid for binary_cross_entropy), or one per"
            f" layer, e.g. relu,linear; {_default('activation')}"
        ),
    )
    b.add_argument(
        "--loss",
        metavar="NAME",
        help=(
            "sse, half_sse, mse, cross_entropy (softmax output) or binary_cross_entropy (sigmoid"
            f" output); {_default('loss')}"
        ),
    )
    names = ", ".join(OPTIMIZERS[:-1]) + f" or {OPTIMIZERS[-1]}"
    b.add_argument(
        "--optimizer",
        metavar="NAME",
        help=f"{names}, as torch.optim defines them; {_default('optimizer')}",
    )
    for h in HYPERPARAMETERS.values():
        b.add_argument(h.flag, dest=h.name, type=_float, metavar="F", help=option_help(h.name))
    b.add_argument(
        "--schedule",
        metavar="NAME",
        help=(
            "the learning rate of each step, lr_t: constant, step (StepLR) or cosine"
            f" (CosineAnnealingLR); {_default('schedule')}"
        ),
    )
    b.add_argument(
        "--step-size",
        type=_int,
        metavar="N",
        help="step: lr_t falls by γ every N steps; default: the steps divided by 3, at least 1",
    )
    b.add_argument(
        "--gamma", type=_float, metavar="F", help="step: γ, the factor lr_t falls by; default 0.1"
    )
    sweep = (
        f"train the same network from the same start once per rate (at most {MAX_RATES}), each on a"
        " sheet of its own, and compare"
    )
    rates = lambda text: tuple(_float(p) for p in text.split(","))  # noqa: E731 - "argument --compare-lr: a number, got 'x'"
    b.add_argument(
        "--compare-lr",
        type=rates,
        metavar="R1,R2,…",
        default=(),
        help=f"{sweep} the losses on one sheet and chart, e.g. 0.1,0.5,1,2; default: none",
    )
    with_bias = _default("bias", lambda b: "with bias" if b else "no bias")
    b.add_argument(
        "--no-bias",
        dest="bias",
        action="store_false",
        default=None,
        help=f"layers without bias; {with_bias}",
    )
    b.add_argument("--bias", dest="bias", action="store_true", help="layers with bias")
    b.add_argument(
        "--seed",
        type=_int,
        metavar="N",
        help=f"seed for made-up data and initial weights; {_default('seed')}",
    )
    b.add_argument(
        "--data",
        type=Path,
        metavar="FILE.csv",
        help=(
            "CSV file: a header row, then inputs and targets per row; default: the template's own"
            " data, made up (seeded) for a custom network"
        ),
    )
    b.add_argument(
        "--lang", default="en", metavar="LANG", help="language of labels: en or zh; default en"
    )
    b.add_argument(
        "--layout",
        metavar="NAME",
        help=(
            "rows (a row per step, every sample side by side) or blocks (a block of rows per step,"
            " samples as rows, parameters as matrices); default: the template's, else rows where it"
            " fits Excel's 16,384 columns, else blocks"
        ),
    )
    b.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help=(
            "where to write; default output/<template>.xlsx, and for a custom network a name from"
            " its shape: output/<sizes>-<activation>-<loss>.xlsx, e.g."
            " output/2-2-2-sigmoid-half_sse.xlsx"
        ),
    )
    b.add_argument(
        "--gradcheck",
        action=argparse.BooleanOptionalAction,
        help=(
            "the Gradient check sheet: finite differences of step 1's loss beside backprop's"
            f" gradient, for every parameter (up to {GRADCHECK_LIMIT}); default: on where the"
            f" network has at most {GRADCHECK_DEFAULT} parameters"
        ),
    )
    b.add_argument("--force", action="store_true", help="overwrite an existing file")
    b.add_argument("--quiet", action="store_true", help="print nothing but errors and warnings")
    b.add_argument("--debug", action="store_true", help="show a traceback on errors")

    v = sub.add_parser(
        "verify",
        help="recalculate a workbook and compare every cell with the engine",
        description=(
            "Recalculate a workbook, rerun the NumPy engine on its inputs as they stand, and"
            " compare every formula cell."
        ),
        epilog="example: excelbp verify output/linear.xlsx --engine all",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("file", type=Path)
    v.add_argument(
        "--engine",
        default="formulas",
        help=(
            "formulas (default: compiled in Python), libreoffice (headless soffice), gnumeric"
            " (ssconvert --recalc), ironcalc (pip install ironcalc), or all: the four, each"
            " reported; exit 0 only when all agree"
        ),
    )
    v.add_argument("--quiet", action="store_true", help="print only the verdict")
    v.add_argument("--debug", action="store_true", help="show a traceback on errors")

    t = sub.add_parser(
        "templates",
        help="list the templates",
        description="List the templates, each with a line on what it teaches.",
        epilog="example: excelbp templates --lang zh",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "--lang", default="en", help="language of the descriptions: en or zh; default en"
    )
    t.add_argument("--debug", action="store_true", help="show a traceback on errors")
    return p

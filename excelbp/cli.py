"""The command line: `excelbp build`, `excelbp verify`, `excelbp templates`.

Exit status: 0 success, 1 verification mismatch, 2 bad input, 3 a program excelbp drives
(LibreOffice) failed, 4 an internal error: each with one line on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .errors import ExternalError, InputError
from .progress import Progress
from .spec.options import BuildOptions
from .spec.templates import DEFAULT_TEMPLATE, describe_templates

DEFAULT_OUTPUT_DIR = Path("output")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(message)


def _layers(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes separated by commas, e.g. 2,3,1; got {text!r}") from None
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


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="excelbp", description="Excel workbooks in which a neural network trains itself by backpropagation.")
    p.add_argument("--version", action="version", version=f"excelbp {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser(
        "build",
        help="write a workbook",
        description="Write a workbook in which the network trains step by step in live formulas.",
        epilog="example: excelbp build --steps 20    (the seed demo, to output/linear.xlsx)\n"
        "         excelbp build --layers 2,2,2 --activation sigmoid --loss half_sse --lr 0.5 --steps 1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("--template", help=f"a template name (see `excelbp templates`); default {DEFAULT_TEMPLATE}")
    b.add_argument("--steps", type=_int, help="number of training steps (one row each)")
    b.add_argument("--lr", type=_float, help="learning rate")
    b.add_argument("--batch", type=_int, help="samples per step (the gradient is their mean)")
    b.add_argument("--layers", type=_layers, help="layer sizes from inputs to outputs, e.g. 2,3,1")
    b.add_argument("--activation", help="linear, sigmoid, tanh or relu (every layer)")
    b.add_argument("--loss", help="sse, half_sse, mse or cross_entropy (softmax output)")
    b.add_argument("--no-bias", dest="bias", action="store_false", default=None, help="layers without bias")
    b.add_argument("--bias", dest="bias", action="store_true", help="layers with bias")
    b.add_argument("--seed", type=_int, help="seed for made-up data and initial weights")
    b.add_argument("--data", type=Path, help="CSV file: a header row, then inputs and targets per row")
    b.add_argument("--lang", default="en", help="language of labels: en or zh")
    b.add_argument(
        "--layout",
        help="rows (a row per step, every sample side by side) or blocks (a block of rows per step, "
        "samples as rows, parameters as matrices); default: the template's, or rows where it fits",
    )
    b.add_argument("-o", "--output", type=Path, help="where to write (default output/<template>.xlsx)")
    b.add_argument("--force", action="store_true", help="overwrite an existing file")
    b.add_argument("--quiet", action="store_true", help="print nothing but errors")
    b.add_argument("--debug", action="store_true", help="show a traceback on errors")

    v = sub.add_parser(
        "verify",
        help="recalculate a workbook and compare every cell with the engine",
        description="Recalculate a workbook, rerun the NumPy engine on its inputs as they stand, and compare every formula cell.",
        epilog="example: excelbp verify output/linear.xlsx --engine libreoffice",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("file", type=Path)
    v.add_argument("--engine", default="formulas", help="formulas (default, in Python) or libreoffice (headless soffice)")
    v.add_argument("--quiet", action="store_true", help="print only the verdict")
    v.add_argument("--debug", action="store_true", help="show a traceback on errors")

    sub.add_parser("templates", help="list the templates", description="List the templates with one line each.", epilog="example: excelbp templates")
    return p


def _build(args: argparse.Namespace) -> int:
    opts = BuildOptions(
        template=args.template,
        steps=args.steps,
        lr=args.lr,
        batch=args.batch,
        layers=args.layers,
        activation=args.activation,
        loss=args.loss,
        bias=args.bias,
        seed=args.seed,
        data=args.data,
        lang=args.lang,
        layout=args.layout,
    )
    from .build import build, make_spec

    spec = make_spec(opts)
    path = args.output
    if path is not None and path.suffix.lower() != ".xlsx":
        raise InputError(f"-o {path}: the file name must end in .xlsx")
    if path is None:
        DEFAULT_OUTPUT_DIR.mkdir(exist_ok=True)  # only the default folder is ever created
        path = DEFAULT_OUTPUT_DIR / f"{spec.template}.xlsx"
    started = time.perf_counter()
    bar = Progress("building", enabled=not args.quiet)
    try:
        result = build(spec, path, force=args.force, progress=bar)
    finally:
        bar.close()
    if result.diverged_at is not None:
        print(f"warning: training diverges: step {result.diverged_at} overflows (try a smaller --lr)", file=sys.stderr)
    if not args.quiet:
        print(
            f"wrote {result.path}: {spec.template}, {result.steps} steps in the {spec.layout} layout, {result.cells:,} formula cells, "
            f"final loss {result.final_loss:.6g} ({time.perf_counter() - started:.1f} s)"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .verify.compare import verify

    bar = Progress("recalculating", enabled=not args.quiet)
    try:
        report = verify(args.file, engine=args.engine, progress=bar)
    finally:
        bar.close()
    lines = report.lines()
    print("\n".join(lines[-1:] if args.quiet else lines))
    return 0 if report.ok else 1


def _templates(args: argparse.Namespace) -> int:
    for name, description in describe_templates():
        print(f"{name:<15} {description}")
    return 0


def _exit_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds like an exception, so the writer removes its temporary file
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if threading.current_thread() is threading.main_thread():  # signals can only be set there
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    debug = "--debug" in argv
    try:
        args = parser().parse_args(argv)
        return {"build": _build, "verify": _verify, "templates": _templates}[args.command](args)
    except InputError as e:
        if debug:
            raise
        print(f"excelbp: error: {e}", file=sys.stderr)
        return 2
    except ExternalError as e:
        if debug:
            raise
        print(f"excelbp: error: {e}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("excelbp: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # a bug: still one line, no traceback, and not called bad input
        if debug:
            raise
        print(f"excelbp: internal error (a bug in excelbp, please report it): {type(e).__name__}: {str(e)[:200]} (run with --debug for a traceback)", file=sys.stderr)
        return 4


if __name__ == "__main__":
    sys.exit(main())

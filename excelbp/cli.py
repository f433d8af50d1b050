"""The command line: `excelbp build`, `excelbp verify`, `excelbp templates`.

Exit status: 0 success, 1 verification mismatch, 2 bad input, 3 a program excelbp drives
(LibreOffice, Gnumeric) failed, 4 an internal error: each with one line on stderr.
"""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__
from .errors import ExternalError, InputError
from .progress import Progress, one_line, say, warn
from .spec.advice import advice, count
from .spec.network import GRADCHECK_DEFAULT, GRADCHECK_LIMIT, LANGUAGES, MAX_RATES
from .spec.optimizers import HYPERPARAMETERS, OPTIMIZERS, option_help
from .spec.options import DEFAULTS, BuildOptions
from .spec.templates import DEFAULT_TEMPLATE, load_template, template_names

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
        gradcheck=args.gradcheck,
        optimizer=args.optimizer,
        hyper=tuple(
            (name, getattr(args, name))
            for name in HYPERPARAMETERS
            if getattr(args, name) is not None
        ),
        schedule=args.schedule,
        step_size=args.step_size,
        gamma=args.gamma,
        compare_lr=args.compare_lr,
    )
    from .build import build, custom_name, make_spec

    path = args.output
    if path is not None and path.suffix.lower() != ".xlsx":
        raise InputError(f"-o {path}: the file name must end in .xlsx")
    if path is not None and one_line(str(path)) != str(path):
        raise InputError(f"-o {path}: the name holds a control character; choose another")
    started = time.perf_counter()
    with Progress("building", enabled=not args.quiet) as bar:  # reading a large CSV is work too
        spec = make_spec(opts)
        for line in advice(spec, source=str(args.data) if args.data is not None else None):
            if line.startswith("warning:") or not args.quiet:
                bar.message(line)
        if path is None:
            custom = args.layers is not None and args.template is None
            DEFAULT_OUTPUT_DIR.mkdir(exist_ok=True)  # only the default folder is ever created
            path = DEFAULT_OUTPUT_DIR / (custom_name(spec) if custom else f"{spec.template}.xlsx")
        result = build(spec, path, force=args.force, progress=bar)
    if result.diverged_at is not None:
        warn(
            f"warning: training diverges: step {result.diverged_at:,} overflows (try a smaller"
            " --lr)"
        )
    for rate, step in result.sweep_diverged:
        warn(
            f"warning: --compare-lr: training with rate {rate:g} diverges: step {step:,} overflows"
        )
    if not args.quiet:
        say(
            f"wrote {result.path}: {spec.template}, {count(result.steps, 'step')} in the"
            f" {spec.layout} layout, {count(result.cells, 'formula cell')}, final loss"
            f" {result.final_loss:.6g} ({time.perf_counter() - started:.1f} s)"
        )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .verify import every

    with Progress("recalculating", enabled=not args.quiet) as bar:
        outcomes = every.verify_all(args.file, args.engine, progress=bar)
    out, err = every.lines(outcomes, quiet=args.quiet)
    for line in err:  # an engine that failed under --engine all
        warn(line)
    say("\n".join(out))
    return every.status(outcomes)


def _templates(args: argparse.Namespace) -> int:
    if args.lang not in LANGUAGES:
        raise InputError(f"--lang: unknown {args.lang!r}; choose from {', '.join(LANGUAGES)}")
    key = "description" if args.lang == "en" else f"description_{args.lang}"
    names = template_names()
    width = max(map(len, names))
    for name in names:
        t = load_template(name)
        say(f"{name:<{width}}  {t.get(key) or t.get('description', '')}")
    return 0


def _exit_on_sigterm(signum, frame) -> None:
    # SystemExit unwinds like an exception, so the writer removes its temporary file
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if threading.current_thread() is threading.main_thread():  # signals can only be set there
        for name in ("SIGTERM", "SIGHUP"):  # a closed terminal too: clean up, then exit
            signal.signal(getattr(signal, name), _exit_on_sigterm)
    debug = "--debug" in argv
    try:
        p = parser()
        args = p.parse_args(argv)
        if args.command is None:
            # as click does since 8.2 for a group without a command: the usage, with the
            # list of commands, on stderr and exit 2 (a usage error; `--help` is the request
            # for it, on stdout with exit 0), so a script that forgot the command fails
            print(p.format_help(), end="", file=sys.stderr)
            return 2
        return {"build": _build, "verify": _verify, "templates": _templates}[args.command](args)
    except (InputError, ExternalError) as e:
        if debug:
            raise
        warn(f"excelbp: error: {e}")
        return 2 if isinstance(e, InputError) else 3
    except KeyboardInterrupt:
        warn("excelbp: interrupted")
        return 130
    except Exception as e:  # a bug: still one line, no traceback, and not called bad input
        if debug:
            raise
        warn(
            f"excelbp: internal error (a bug in excelbp, please report it): {type(e).__name__}:"
            f" {str(e)[:200]} (run with --debug for a traceback)"
        )
        return 4


if __name__ == "__main__":
    sys.exit(main())

"""The command line: `excelbp build`, `excelbp verify`, `excelbp templates`.

Exit status: 0 success, 1 verification mismatch, 2 bad input, 3 a program excelbp drives
(LibreOffice, Gnumeric) failed, 4 an internal error: each with one line on stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from .arguments import DEFAULT_OUTPUT_DIR, parser
from .errors import ExternalError, InputError
from .progress import Progress, one_line, say, warn
from .spec.advice import advice, count
from .spec.network import LANGUAGES
from .spec.optimizers import HYPERPARAMETERS
from .spec.options import BuildOptions
from .spec.templates import load_template, template_names


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

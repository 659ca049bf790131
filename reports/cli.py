"""The ``ratecheck`` command line.

Exit codes: 0 success (``verify``: pass), 1 a fail (``run``/``report``: a check
unexpected or an error), 3 inconclusive (``run``/``report``: nothing failed, something
did not decide), 2 bad input (one line on stderr, never a traceback), 130 and 143
interrupted by SIGINT (Ctrl-C) or SIGTERM (one line; every worker stopped, no report
written, a previous report in ``--out`` kept as it was).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from reports.suite.stopping import USER_EXITS, Interrupted, exception_text, stop_on_signals
from theory.errors import RatecheckError
from theory.validation import not_allowed, rejection, suggestion

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_BAD_INPUT = 2
EXIT_INCONCLUSIVE = 3
EXIT_SIGNAL = 128
"""Interrupted by a signal: 128 + its number (130 SIGINT, 143 SIGTERM), as a shell reports."""
VERIFY_EXIT = {"pass": EXIT_OK, "fail": EXIT_FAIL, "inconclusive": EXIT_INCONCLUSIVE}
"""Exit code of ``ratecheck verify`` by verdict."""


DESCRIPTION = textwrap.fill(
    "ratecheck: does this optimizer, on this problem class, converge at the rate the theory "
    "promises? It runs seeded replicates of an optimizer on objectives whose optimum is known, "
    "fits the observed rate with confidence intervals and checks it, and the bound with its "
    "constants, against a theorem: PASS, FAIL or INCONCLUSIVE.",
    width=88,
)
EXAMPLES = """commands, one example each:
  ratecheck theory                       the theorem catalog
  ratecheck theory sgd-sc-smooth-last    one theorem: assumptions, bound, constants, source
  ratecheck theory robbins-monro "c/k"   decide the Robbins-Monro step conditions
  ratecheck verify --objective ridge --optimizer sgd --schedule "1/(lam*k)" \\
      --expect sgd-sc-smooth-last        check one optimizer against a theorem
  ratecheck report --out my-report       check every claim of the lecture, write a report
  ratecheck run suite.toml --out DIR     run your own suite of checks (format in the README)
  ratecheck list objectives              what --objective accepts: keys, defaults, constants
                                         (also optimizers, theorems, schedules)

'ratecheck COMMAND --help' lists a command's options with their defaults.
Exit codes: 0 pass, 1 fail or unexpected, 2 bad input, 3 inconclusive,
130/143 interrupted (SIGINT/SIGTERM)."""


def _version() -> str:
    from reports.version import ratecheck_version

    return ratecheck_version()


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, exit code 2, and a value outside an option's choices
    (or an unknown command) rejected in the one vocabulary, with the closest one suggested."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"ratecheck: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_BAD_INPUT)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        if action.choices is None or value in action.choices:
            return
        allowed = [str(option) for option in action.choices]
        expected = f"one of {', '.join(allowed)}{suggestion(value, allowed)}"
        raise argparse.ArgumentError(action, rejection("value", value, expected))


def _cmd_theory(args: argparse.Namespace) -> int:
    from reports.theory_view import render_catalog, render_robbins_monro, render_theorem
    from theory.catalog import get_theorem
    from theory.robbins_monro import robbins_monro

    words = args.words
    if not words:
        print(render_catalog(fmt=args.format, wide=args.wide))
        return EXIT_OK
    if words[0] == "robbins-monro":
        if len(words) != 2:
            expected = 'exactly one expression in k, such as "c/k"'
            where = "ratecheck theory robbins-monro"
            raise not_allowed(where, "arguments", words[1:], expected, RatecheckError)
        print(render_robbins_monro(robbins_monro(words[1]), fmt=args.format))
        return EXIT_OK
    if len(words) != 1:
        expected = 'one theorem id, or robbins-monro "EXPR"'
        raise not_allowed("ratecheck theory", "arguments", words, expected, RatecheckError)
    print(render_theorem(get_theorem(words[0]), fmt=args.format))
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    from reports import strict_json
    from reports.listing import listing, render_text

    items = listing(args.kind, args.names)
    print(render_text(args.kind, items) if args.format == "text" else strict_json.dumps(items))
    return EXIT_OK


def _add_list(sub: argparse._SubParsersAction) -> None:
    from reports.listing import KINDS

    listed = sub.add_parser(
        "list",
        help="the objectives, optimizers, theorems or schedules, with parameters and defaults",
        description=(
            "ratecheck list KIND [NAME ...]: each item of KIND (or only the NAMEs) with a "
            "one-line description and the keys of its spec, each with its default and what "
            "it allows; an objective's constants for the theorems, a theorem's method, "
            "schedule, iterate, rate and the constants it needs; a schedule's syntax."
        ),
    )
    listed.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    listed.add_argument(
        "names", nargs="*", default=[], metavar="NAME", help="only these items (default all)"
    )
    listed.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for a person, json (a list of objects, keys in the README) for a machine "
        "(default text)",
    )
    listed.set_defaults(handler=_cmd_list)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else text


def _cmd_verify(args: argparse.Namespace) -> int:
    from empirical.scenario import Scenario
    from empirical.verification.verify import verify_scenario
    from reports import strict_json
    from reports.stdout_redirect import stdout_to_stderr

    machine = args.format == "json"
    # stdout holds only the document: what user code prints (at import, in the run) goes to stderr
    with stdout_to_stderr() if machine else contextlib.nullcontext():
        try:
            scenario = Scenario(
                args.objective,
                args.optimizer,
                args.schedule,
                expect=args.expect,
                steps=args.steps,
                replicates=args.replicates,
                seed=args.seed,
                batch_size=args.batch_size,
                sampling=args.sampling,
                average=args.average,
                alpha=args.alpha,
                delta=args.delta,
                rtol=args.rtol,
                alpha_c=args.alpha_c,
                constants=args.constants or {},
            )
            result = verify_scenario(scenario, progress=False if machine else None)
        except (RatecheckError, Interrupted):
            raise
        except (Exception, *USER_EXITS) as exc:  # user code (sys.exit too), or a failed run
            raise RatecheckError(f"the run failed: {_first_line(exception_text(exc))}") from exc
    print(strict_json.dumps(result.to_dict()) if machine else result.summary())
    return VERIFY_EXIT[result.outcome]


def _count(text: str) -> int:
    """An integer >= 1; '1e5' is read as 100000."""
    rejected = argparse.ArgumentTypeError(rejection("value", text, "an integer >= 1"))
    try:
        value = float(text)
    except ValueError:
        raise rejected from None
    if not (value >= 1 and value.is_integer()):
        raise rejected
    return int(value)


def _seed(text: str) -> int:
    rejected = argparse.ArgumentTypeError(rejection("value", text, "an integer >= 0"))
    try:
        value = int(text)
    except ValueError:
        raise rejected from None
    if value < 0:
        raise rejected
    return value


def _constants(text: str) -> dict[str, float]:
    """'c=0.5,eta=0.1' -> {'c': 0.5, 'eta': 0.1}."""
    out: dict[str, float] = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not eq or not key.strip() or number != number:
            expected = "KEY=NUMBER[,KEY=NUMBER...]"
            raise argparse.ArgumentTypeError(rejection("value", text, expected))
        out[key.strip()] = number
    return out


def _add_verify(sub: argparse._SubParsersAction) -> None:
    from empirical.scenario import DEFAULT_REPLICATES, DEFAULT_SEED, DEFAULT_STEPS

    verify = sub.add_parser(
        "verify",
        help="run an optimizer and check its convergence against a theorem or a rate",
        description=(
            "ratecheck verify: run R replicates of an optimizer on an objective and check the "
            "observed convergence against a theorem of the catalog, an order O(EXPR) or "
            "'linear'. Exit code 0 pass, 1 fail, 3 inconclusive, 2 bad input."
        ),
    )
    add = verify.add_argument
    add(
        "--objective",
        required=True,
        metavar="NAME[:key=val,...]",
        help="a built-in objective, e.g. ridge or 'quadratic:d=10' (required; "
        "'ratecheck list objectives' lists them with their keys)",
    )
    add(
        "--optimizer",
        required=True,
        metavar="NAME[:key=val,...]",
        help="a built-in optimizer ('ratecheck list optimizers'), "
        "path/to/file.py:NAME[:key=val,...] or package.module:NAME (required)",
    )
    add(
        "--schedule",
        required=True,
        metavar="EXPR",
        help="step size eta_k in k, e.g. '1/(lam*k)' or 'c*k^-0.5' (required)",
    )
    add(
        "--expect",
        required=True,
        metavar='THEOREM_ID|"O(EXPR)"|linear',
        help="a theorem id of 'ratecheck theory', an order such as 'O(1/k)', or linear (required)",
    )
    add("--batch-size", type=_count, default=1, metavar="B", help="minibatch size (default 1)")
    add(
        "--sampling",
        choices=("shuffle", "replacement", "cyclic"),
        default="shuffle",
        help="how a finite sum is sampled (default shuffle: without replacement, reshuffled "
        "each pass)",
    )
    add(
        "--average",
        default="none",
        metavar="none|uniform|suffix:alpha=A|polydecay:gamma=G",
        help="the iterate checked: the last (default none) or an average",
    )
    add(
        "--steps",
        type=_count,
        default=DEFAULT_STEPS,
        metavar="K",
        help=f"updates per replicate (default {DEFAULT_STEPS})",
    )
    add(
        "--replicates",
        type=_count,
        default=None,
        metavar="R",
        help=(
            f"run exactly R replicates (default: sized by the data, {DEFAULT_REPLICATES} then "
            "more, or a longer run, only if they cannot decide)"
        ),
    )
    add(
        "--seed",
        type=_seed,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"seed of every replicate's stream (default {DEFAULT_SEED})",
    )
    add("--alpha", type=float, default=0.01, help="level of every test (default 0.01)")
    add("--delta", type=float, default=0.05, help="tolerance on the exponent (default 0.05)")
    add(
        "--rtol",
        type=float,
        default=0.1,
        help="relative tolerance of exact constants (default 0.1)",
    )
    add(
        "--alpha-c",
        type=float,
        default=0.2,
        help="level of the burn-in curvature test (default 0.2)",
    )
    add(
        "--constants",
        type=_constants,
        default=None,
        metavar="KEY=VAL[,...]",
        help="values of a theorem's constants the objective does not supply (default none)",
    )
    add(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for a person, json (schema ratecheck.verdict/2) for a machine (default text)",
    )
    verify.set_defaults(handler=_cmd_verify)


def _run_and_write(specs: Sequence, args: argparse.Namespace) -> int:
    """Run a suite, write its report into ``--out``, print one line per check.

    With the cache, the report's figures are kept in the cache's ``figures/`` directory too,
    so that an unchanged rerun copies them instead of drawing them again."""
    from reports.render import write_report
    from reports.render.output import check_out
    from reports.suite.cache import result_cache
    from reports.suite.engine import run_suite
    from reports.suite.model import exit_code

    check_out(args.out, force=args.force, name="--out")  # before any compute
    cache = not args.no_cache
    try:
        results = run_suite(specs, jobs=args.jobs, quick=args.quick, cache=cache)
        store = result_cache(cache)
        figures = store.figures if store is not None else None
        write_report(results, args.out, quick=args.quick, figure_cache=figures, force=args.force)
    except Interrupted as exc:  # the report is written whole or not at all
        raise Interrupted(exc.signum, f"no report written to {args.out}") from None
    for result in results:
        print(f"{result.status:<13} {result.spec.id}")
    print(f"report: {Path(args.out) / 'index.html'} (report.md, results.json, figures/)")
    return exit_code(results)


def _cmd_report(args: argparse.Namespace) -> int:
    try:
        from reports.lecture import LECTURE_SUITE
    except ModuleNotFoundError as exc:
        if exc.name != "reports.lecture":
            raise
        raise RatecheckError("the built-in lecture suite is not installed") from None
    return _run_and_write(LECTURE_SUITE, args)


def _cmd_run(args: argparse.Namespace) -> int:
    from reports.suite.toml_suite import load_suite

    return _run_and_write(load_suite(args.suite).specs, args)


def _add_report(sub: argparse._SubParsersAction) -> None:
    exits = (
        "Exit code 1 when a check is unexpected or an error, else 3 when one is "
        "inconclusive, else 0; 2 bad input."
    )
    report = sub.add_parser(
        "report",
        help="check every convergence claim of the lecture and write the report",
        description="ratecheck report: run the built-in suite of the lecture's claims and "
        "write DIR/index.html, DIR/report.md, DIR/results.json and DIR/figures/. " + exits,
    )
    run = sub.add_parser(
        "run",
        help="run the checks of a TOML suite file and write the report",
        description="ratecheck run SUITE.toml: run a user suite (format in the README) and "
        "write the same report as 'ratecheck report'. " + exits,
    )
    run.add_argument("suite", metavar="SUITE.toml")
    for parser, handler in ((report, _cmd_report), (run, _cmd_run)):
        add = parser.add_argument
        add(
            "--out",
            default="ratecheck-report",
            metavar="DIR",
            help="a new or empty directory, or a previous report (default: ratecheck-report)",
        )
        add(
            "--force",
            action="store_true",
            help="write into a DIR that holds other files: replace only the report's own "
            "index.html, report.md, results.json and figures/, keep the rest (default: refuse "
            "such a DIR)",
        )
        add("--jobs", type=_count, default=None, metavar="N", help="processes (default: all cores)")
        add(
            "--quick", action="store_true", help="the CI-sized version of every check (default off)"
        )
        add(
            "--no-cache",
            action="store_true",
            help="recompute every check (default: reuse the results of unchanged checks)",
        )
        parser.set_defaults(handler=handler)


def build_parser() -> argparse.ArgumentParser:
    """The ``ratecheck`` argument parser with its subcommands."""
    parser = _Parser(
        prog="ratecheck",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ratecheck {_version()}")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )

    theory = sub.add_parser(
        "theory",
        help="the theorem catalog, one theorem, or a Robbins-Monro decision",
        description=(
            "ratecheck theory: print the catalog; 'ratecheck theory ID': one theorem with its "
            "assumptions, source and derivation; 'ratecheck theory robbins-monro EXPR': decide "
            "the Robbins-Monro conditions for a step schedule in k."
        ),
    )
    theory.add_argument("words", nargs="*", metavar="ID | robbins-monro EXPR")
    theory.add_argument(
        "--format",
        choices=("text", "markdown", "latex", "json"),
        default="text",
        help="output format (default text)",
    )
    theory.add_argument(
        "--wide",
        action="store_true",
        help="the text catalog with every column: class, schedule, bound, order, iterations "
        "to eps (default: id, iterate, rate and title, within 100 columns)",
    )
    theory.set_defaults(handler=_cmd_theory)
    _add_verify(sub)
    _add_report(sub)
    _add_list(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    try:
        with stop_on_signals():  # from the start: the parser's imports take a second or two
            args = build_parser().parse_args(argv)
            return args.handler(args)
    except RatecheckError as exc:
        sys.stderr.write(f"ratecheck: error: {exc}\n")
        return EXIT_BAD_INPUT
    except Interrupted as exc:
        detail = f"; {exc.detail}" if exc.detail else ""
        sys.stderr.write(f"ratecheck: interrupted ({exc.name}){detail}\n")
        return EXIT_SIGNAL + exc.signum
    except KeyboardInterrupt:  # not a signal (that is Interrupted): user code loaded raised it
        sys.stderr.write("ratecheck: error: user code raised KeyboardInterrupt while loading\n")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader stopped (| head): exit quietly, as the docs advise
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL


if __name__ == "__main__":
    raise SystemExit(main())

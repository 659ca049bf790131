"""The ``ratecheck`` command line.

Exit codes: 0 success, 2 bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from theory.errors import RatecheckError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"ratecheck: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(EXIT_BAD_INPUT)


def _cmd_theory(args: argparse.Namespace) -> int:
    from reports.theory_view import render_catalog, render_robbins_monro, render_theorem
    from theory.catalog import get_theorem
    from theory.robbins_monro import robbins_monro

    words = args.words
    if not words:
        print(render_catalog(fmt=args.format))
        return EXIT_OK
    if words[0] == "robbins-monro":
        if len(words) != 2:
            raise RatecheckError(
                'usage: ratecheck theory robbins-monro "EXPR" (exactly one expression in k)'
            )
        print(render_robbins_monro(robbins_monro(words[1]), fmt=args.format))
        return EXIT_OK
    if len(words) != 1:
        raise RatecheckError(f"ratecheck theory takes one theorem id, got {len(words)}: {words}")
    print(render_theorem(get_theorem(words[0]), fmt=args.format))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The ``ratecheck`` argument parser with its subcommands."""
    parser = _Parser(prog="ratecheck", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    theory.add_argument("--format", choices=("text", "markdown", "latex", "json"), default="text")
    theory.set_defaults(handler=_cmd_theory)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except RatecheckError as exc:
        sys.stderr.write(f"ratecheck: error: {exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    raise SystemExit(main())

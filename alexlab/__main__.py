"""The command line: ``python -m alexlab doctor``."""

import argparse
import sys

__all__ = ["main"]


def main(argv=None):
    """Parse the command line and run the chosen command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m alexlab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "doctor",
        help="report versions, backend, accelerator, widgets, dataset cache and memory, "
        "with a fix for each problem",
    )
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from alexlab.doctor import report

        return 1 if report() else 0
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())

"""``python -m alexlab``: the command line (alexlab.cli)."""

import sys

from alexlab import cli

if __name__ == "__main__":
    sys.exit(cli.main())

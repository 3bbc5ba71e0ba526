"""``python -m contactrules …`` runs the ``contactrules`` command."""

import sys

from .cli import main

sys.exit(main())

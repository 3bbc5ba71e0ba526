"""``python -m contactrules.cli …`` runs the ``contactrules`` command."""

import sys

from . import main

sys.exit(main())

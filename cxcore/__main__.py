"""`python -m cxcore ...` is the same command line as `cx-cockpit ...`."""

import sys

from .cli import main

sys.exit(main())

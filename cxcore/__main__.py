"""`python -m cxcore ...` is the same command line as `cx-cockpit ...`."""

import sys

from cxcore.cli.main import main

sys.exit(main())

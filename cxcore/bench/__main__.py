"""`python -m cxcore.bench ...` is `cx-cockpit bench ...`."""

import sys

from cxcore.bench.harness import main

sys.exit(main())

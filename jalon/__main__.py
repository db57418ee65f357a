from __future__ import annotations

import sys

from jalon.cli import main

sys.exit(main())

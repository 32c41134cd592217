"""Entry point: `python -m bench` measures; `python -m bench --markdown` prints the last results."""

from __future__ import annotations

import sys

from bench.main import main, markdown_from_results

if "--markdown" in sys.argv[1:]:
    markdown_from_results()
else:
    sys.exit(main())

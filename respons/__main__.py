"""`python -m respons ...`"""

from respons.cli import main

raise SystemExit(main())

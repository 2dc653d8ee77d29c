"""`python -m ivr ...`: same as the `ivr` command."""

from ivr.cli import main

raise SystemExit(main())

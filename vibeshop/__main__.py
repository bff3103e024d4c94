"""`python -m vibeshop` runs the CLI."""

from vibeshop.cli import main

raise SystemExit(main())

"""Let `python -m ccmtool` behave exactly like the `ccm` console script."""

from ccmtool.cli import main

if __name__ == "__main__":
    main()

"""Allow `python -m assess`."""

from assess.cli import main

if __name__ == "__main__":
    main()

"""Run the nndl-gui desktop app: ``python main.py``."""

from nndl_gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())

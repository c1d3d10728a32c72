"""``python -m nndl_gui [gui | train | classify | evaluate] ...``: the app, the command-line trainer, the classifier.

No subcommand (or options only) starts the GUI, as the ``nndl-gui`` script does.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "gui": ("nndl_gui.app", "main", "the graphical app"),
    "train": ("nndl_gui.trainer", "main", "train a network on MNIST from the command line"),
    "classify": ("nndl_gui.classify", "main", "classify image files with a saved network"),
    "evaluate": ("nndl_gui.evaluate", "main", "score saved networks on MNIST; several vote (chapter 6)"),
}

USAGE = "usage: python -m nndl_gui [gui | train | classify | evaluate] [options]   (COMMAND --help for its options)"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help", "help"):
        print(USAGE)
        for name, (_, _, what) in COMMANDS.items():
            print(f"  {name:9s} {what}")
        print("  (none)    same as gui")
        return 0
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
    elif argv and not argv[0].startswith("-"):
        print(f"nndl-gui: error: unknown command {argv[0]!r}; choose one of {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    else:
        command, rest = "gui", argv
    module_name, function, what = COMMANDS[command]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # a missing dependency inside the module (e.g. PySide6): say which
            print(f"nndl-gui {command}: error: {what} needs the package {exc.name!r}, which is not installed",
                  file=sys.stderr)
        else:
            print(f"nndl-gui {command}: error: this installation has no {command!r} command yet "
                  f"({module_name} is missing)", file=sys.stderr)
        return 2
    result = getattr(module, function)(rest)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())

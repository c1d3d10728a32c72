"""JSON parsed a piece at a time, so a large network file never holds up the app (``loads``).

``json.loads`` parses a whole document in one C call that keeps Python's GIL: on a 500 MB network file
that is seconds during which no other thread of the process runs Python (the window freezes) and nobody
can interrupt it (closing the app waits).  ``loads`` gives the same result for every valid document
(and refuses what ``json.loads`` refuses), but walks the containers in Python and hands the C parser only
bounded pieces: one string, one number, or a run of at most ``RUN`` numbers of an array (a row of weights
is one or a few runs).  Between pieces the GIL passes to other threads as usual, and ``cancel()`` is
checked (``engine.cancel``).  Nesting is limited to ``MAX_DEPTH`` levels (a network needs 3).
"""

from __future__ import annotations

import json
import re

from .cancel import Cancel, check

MAX_DEPTH = 64
RUN = 4096  # numbers of an array parsed by one C call
_WS_RUN = 1 << 20
_WS = re.compile(r"[ \t\n\r]{0,%d}" % _WS_RUN)
_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
_NUMBERS = re.compile(r"(?:[ \t\n\r]*%s[ \t\n\r]*,){1,%d}" % (_NUMBER, RUN))
_decoder = json.JSONDecoder()
_CHECK_EVERY = 64  # pieces between cancel checks


class _Object:
    """An object being filled, and the key whose value comes next."""

    __slots__ = ("value", "key")

    def __init__(self, key: str):
        self.value: dict = {}
        self.key = key


class JSONDepthError(ValueError):
    """The document nests deeper than MAX_DEPTH."""


def _error(message: str, text: str, pos: int):
    return json.JSONDecodeError(message, text, pos)


def _ws(text: str, pos: int) -> int:
    end = _WS.match(text, pos).end()
    while end - pos == _WS_RUN:  # a long run of blanks: in bounded steps too
        pos, end = end, _WS.match(text, end).end()
    return end


def loads(text: str, *, cancel: Cancel = None):
    """The Python value of the JSON document ``text`` (as ``json.loads``), parsed in bounded pieces.

    Raises json.JSONDecodeError (a ValueError) for invalid JSON, JSONDepthError for nesting deeper than
    MAX_DEPTH, and engine.cancel.Interrupted when ``cancel()`` turns true.
    """
    n = len(text)
    stack: list = []  # open containers: a list, or an _Object
    pos = _ws(text, 0)
    pieces = 0
    while True:
        pieces += 1
        if pieces % _CHECK_EVERY == 0:
            check(cancel)
        if pos >= n:
            raise _error("Expecting value", text, pos)
        c = text[pos]
        # ---- one value starts at pos: open a container, or parse a run of numbers or one scalar
        if c == "[" or c == "{":
            if len(stack) >= MAX_DEPTH:
                raise JSONDepthError(f"JSON nested more than {MAX_DEPTH} levels deep")
            pos = _ws(text, pos + 1)
            if c == "[":
                if text.startswith("]", pos):
                    value, pos = [], pos + 1
                else:
                    stack.append([])
                    continue
            else:
                if text.startswith("}", pos):
                    value, pos = {}, pos + 1
                else:
                    key, pos = _key(text, pos)
                    stack.append(_Object(key))
                    continue
        else:
            if stack and type(stack[-1]) is list and c in "-0123456789":
                run = _NUMBERS.match(text, pos)
                if run is not None:
                    stack[-1].extend(json.loads("[" + run.group()[:-1] + "]"))
                    pos = _ws(text, run.end())
                    continue  # a comma was taken: another value follows
            try:
                value, pos = _decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                raise
            except ValueError as exc:  # e.g. an integer of more than 4300 digits
                raise _error(str(exc), text, pos) from None
        # ---- a value is complete: put it in its container, and close containers that end here
        while True:
            if not stack:
                pos = _ws(text, pos)
                if pos != n:
                    raise _error("Extra data", text, pos)
                return value
            top = stack[-1]
            pos = _ws(text, pos)
            c = text[pos] if pos < n else ""
            if type(top) is list:
                top.append(value)
                if c == ",":
                    pos = _ws(text, pos + 1)
                    break
                if c != "]":
                    raise _error("Expecting ',' delimiter", text, pos)
                value = stack.pop()
            else:
                top.value[top.key] = value
                if c == ",":
                    top.key, pos = _key(text, _ws(text, pos + 1))
                    break
                if c != "}":
                    raise _error("Expecting ',' delimiter", text, pos)
                value = stack.pop().value
            pos += 1


def _key(text: str, pos: int) -> tuple[str, int]:
    """An object's key and the position after its colon (and blanks)."""
    if not text.startswith('"', pos):
        raise _error("Expecting property name enclosed in double quotes", text, pos)
    key, pos = _decoder.raw_decode(text, pos)
    pos = _ws(text, pos)
    if not text.startswith(":", pos):
        raise _error("Expecting ':' delimiter", text, pos)
    return key, _ws(text, pos + 1)

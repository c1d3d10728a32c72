#!/usr/bin/env python3
"""Cut the offline MNIST sample shipped in resources/mnist-sample from full MNIST.

Takes the first N training images/labels and the first M test images/labels
(defaults 12,000 and 2,000) and writes them as IDX files gzipped at level 9
with no timestamp, so running it again gives byte-identical files:

    python tools/make_sample.py ../shared/mnist resources/mnist-sample

The source files are checked against the SHA-256 of the official payloads first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nndl_gui.data.download import SHA256, verify_file  # noqa: E402
from nndl_gui.data.idx import read_idx, write_idx  # noqa: E402
from nndl_gui.data.mnist import FILES, find_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="directory with the four full MNIST IDX files")
    parser.add_argument("dest", type=Path, help="directory to write the sample into")
    parser.add_argument("--train", type=int, default=12_000, help="training examples to keep (default 12000)")
    parser.add_argument("--test", type=int, default=2_000, help="test examples to keep (default 2000)")
    parser.add_argument("--no-verify", action="store_true", help="skip the SHA-256 check of the source files")
    args = parser.parse_args(argv)

    args.dest.mkdir(parents=True, exist_ok=True)
    for key, name in FILES.items():
        src = find_file(args.source, name)
        if src is None:
            parser.error(f"{args.source} has no {name}")
        if not args.no_verify and not verify_file(src, SHA256[name]):
            parser.error(f"{src} does not match the official MNIST checksum (use --no-verify to cut anyway)")
        count = args.train if key.startswith("train") else args.test
        array = read_idx(src, expected_ndim=3 if key.endswith("images") else 1)
        if count > len(array):
            parser.error(f"{name} has only {len(array)} examples, asked for {count}")
        out = args.dest / name
        write_idx(out, array[:count], compresslevel=9)
        print(f"{out}: {count} examples, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

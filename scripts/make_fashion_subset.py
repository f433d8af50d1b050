"""Make templates/fashion.csv.gz: a seeded subset of Fashion-MNIST for the `fashion` template.

    apt-get install dataset-fashion-mnist  # the IDX files, in /usr/share/datasets/fashion-mnist/
    python scripts/make_fashion_subset.py      # writes templates/fashion.csv.gz

Fashion-MNIST: Han Xiao, Kashif Rasul, Roland Vollgraf, Zalando Research, 2017
(https://github.com/zalandoresearch/fashion-mnist), MIT licence; the Debian package
`dataset-fashion-mnist` ships its four IDX files unchanged.

The subset: `--train` images drawn without replacement from the 60,000 training images and
`--test` from the 10,000 test images, by NumPy's default_rng(`--seed`), each kept in the
order drawn. One CSV row per image: its 784 pixels row by row (0-255, as in the IDX file),
then its class (0-9); the training images first, then the held-out ones. Written with a
fixed gzip header (no time stamp), so the same arguments make the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

import numpy as np

SOURCE = Path("/usr/share/datasets/fashion-mnist")
OUT = Path(__file__).resolve().parent.parent / "templates" / "fashion.csv.gz"


def idx(path: Path) -> np.ndarray:
    """An IDX file's array (unsigned bytes): images × 28 × 28 → images × 784, or labels."""
    raw = gzip.open(path).read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    return data.reshape(shape[0], -1) if dims > 1 else data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=1024)
    ap.add_argument("--test", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("-o", "--output", type=Path, default=OUT)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    parts = []
    for name, n in (("train", args.train), ("t10k", args.test)):
        images = idx(args.source / f"{name}-images-idx3-ubyte.gz")
        labels = idx(args.source / f"{name}-labels-idx1-ubyte.gz")
        pick = rng.choice(len(images), size=n, replace=False)
        parts.append(np.column_stack([images[pick], labels[pick]]))
    rows = np.concatenate(parts)
    text = io.StringIO()
    text.write(",".join([f"p{r}_{c}" for r in range(28) for c in range(28)] + ["class"]) + "\n")
    for row in rows:
        text.write(",".join(map(str, row)) + "\n")
    with (
        open(args.output, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as gz,
    ):
        gz.write(text.getvalue().encode("ascii"))
    print(
        f"{args.output}: {args.train} training and {args.test} held-out images,"
        f" {args.output.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Branch coverage of include/ with template instantiations merged.

gcov reports the branches of each template instantiation separately, and gcovr 5.2
(Debian 12) counts every instantiation's copy as a branch of its own: a function
template instantiated for four observer or storage types shows four copies of each
branch, and a branch covered through one of them still counts as missed three times.
This script counts a branch of our source as taken when any instantiation takes it,
which is what llvm-cov and later gcovr releases do when they merge instantiations.
As with gcovr's --exclude-throw-branches, edges taken only by a propagating exception
are left out (the library never throws), and so are branches on lines with no code of
their own (a closing brace).

gcov's JSON gives a line either once per instantiation or, for a line several
instantiations in one translation unit share (a continuation lambda's, say), once with
their branch vectors concatenated: a vector as long as one instantiation's times their
number. Each vector is therefore cut into pieces of the greatest common length of the
line's vectors, and a piece counts only when its throw edges sit where the line's most
common piece has them.

  coverage_branches.py BUILD_DIR MINIMUM_PERCENT
"""
import collections
import gzip
import json
import math
import pathlib
import subprocess
import sys
import tempfile

build_dir = pathlib.Path(sys.argv[1]).resolve()
minimum = float(sys.argv[2])
root = pathlib.Path(__file__).resolve().parent.parent
include_dir = root / "include"

# (file, line) -> list of (taken, throw) vectors, one per instantiation, or several
# instantiations' concatenated (see above), per TU
copies = collections.defaultdict(list)
with tempfile.TemporaryDirectory() as work:
    for gcda in sorted(build_dir.rglob("*.gcda")):
        subprocess.run(["gcov", "-j", "-b", "-o", str(gcda.parent), str(gcda)], cwd=work,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for report in pathlib.Path(work).glob("*.gcov.json.gz"):
            data = json.load(gzip.open(report))
            for source in data["files"]:
                path = pathlib.Path(source["file"])
                if not path.is_absolute():
                    path = (pathlib.Path(data.get("current_working_directory", work)) / path).resolve()
                if include_dir not in path.parents:
                    continue
                for line in source["lines"]:
                    branches = [(b["count"] > 0, b["throw"]) for b in line["branches"]]
                    if branches:
                        copies[(path, line["line_number"])].append(branches)
            report.unlink()

sources = {}
per_file = collections.defaultdict(lambda: [0, 0])
missed = collections.defaultdict(list)
for (path, number), vectors in copies.items():
    if path not in sources:
        sources[path] = path.read_text(encoding="utf-8").splitlines()
    text = sources[path][number - 1].strip()
    if text.strip("{}();") == "":
        continue
    unit = 0
    for v in vectors:
        unit = math.gcd(unit, len(v))
    pieces = [v[i:i + unit] for v in vectors for i in range(0, len(v), unit)]
    throws = collections.Counter(tuple(t for _, t in p) for p in pieces).most_common(1)[0][0]
    kept = [i for i, t in enumerate(throws) if not t]
    if not kept:
        continue
    taken = [any(p[i][0] for p in pieces if tuple(t for _, t in p) == throws) for i in kept]
    name = str(path.relative_to(root))
    per_file[name][0] += sum(taken)
    per_file[name][1] += len(taken)
    if not all(taken):
        missed[name].append(number)

total_taken = sum(t for t, _ in per_file.values())
total = sum(n for _, n in per_file.values())
print(f"{'file':45} {'branches':>8} {'taken':>6} {'cover':>6}  missed on lines")
for name in sorted(per_file):
    taken, count = per_file[name]
    lines = ",".join(str(n) for n in sorted(missed[name]))
    print(f"{name:45} {count:8} {taken:6} {100.0 * taken / count:5.1f}%  {lines}")
percent = 100.0 * total_taken / total if total else 100.0
print(f"branches (instantiations merged): {percent:.1f}% ({total_taken} out of {total})")
if percent < minimum:
    sys.exit(f"branch coverage {percent:.1f}% is below {minimum}%")

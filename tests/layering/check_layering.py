#!/usr/bin/env python3
"""Fails on an include that points up the layering (README "Layout").

Every file under include/memsgd/<area>/ and src/<area>/ belongs to <area>; an area may include
`#include "memsgd/<other>/..."` only for itself and the areas before it in AREAS. Prints one
line per broken rule (file:line, the include, the rule) and exits 1; exits 0 when all is clean.
Usage: check_layering.py [REPO_ROOT]
"""

import pathlib
import re
import sys

# The one order of the areas, lowest first.
AREAS = ["core", "util", "config", "mpi", "data", "model", "compress", "comm", "optim", "io", "log",
         "run", "cli", "tools"]
RANK = {area: rank for rank, area in enumerate(AREAS)}
SOURCES = (".hpp", ".cpp", ".h", ".cc")
INCLUDE = re.compile(r'^\s*#\s*include\s*"memsgd/([^"]*)"')


def area_of(relative: pathlib.PurePosixPath) -> str | None:
    """The area of include/memsgd/<area>/... or src/<area>/..., None for a file outside one."""
    parts = relative.parts
    if parts[0] == "include" and len(parts) > 3 and parts[1] == "memsgd":
        return parts[2]
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    return None


def check(root: pathlib.Path) -> list[str]:
    order = " < ".join(AREAS)
    problems = []
    files = sorted(p for top in ("include", "src") for p in (root / top).rglob("*")
                   if p.suffix in SOURCES and p.is_file())
    for path in files:
        relative = pathlib.PurePosixPath(path.relative_to(root).as_posix())
        area = area_of(relative)
        if area not in RANK:
            problems.append(f"{relative}: is in no area of the layering ({order}): "
                            "put it in one, or add its area to AREAS in tests/layering/"
                            "check_layering.py and to README's Layout")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            included = target.split("/")[0] if "/" in target else None
            where = f'{relative}:{number}: #include "memsgd/{target}"'
            if included not in RANK:
                problems.append(f"{where}: names no area of the layering ({order})")
            elif RANK[included] > RANK[area]:
                problems.append(f"{where}: {area} must not include {included}, which comes after it "
                                f"(an area includes only itself and the areas before it: {order})")
    return problems


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[2])
    problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"layering: {len(problems)} upward or unplaced include(s)")
        return 1
    print(f"layering: clean ({' < '.join(AREAS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

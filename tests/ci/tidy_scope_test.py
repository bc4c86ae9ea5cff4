#!/usr/bin/env python3
""".ci/tidy_scope.py on a small git tree: a changed header selects the units that include it
(through other headers too) and no other; a changed compile command, a new unit, a change to
.clang-tidy and a base the history does not hold each select what they must."""

import json
import pathlib
import subprocess
import sys
import tempfile

SCOPE = pathlib.Path(__file__).resolve().parents[2] / ".ci" / "tidy_scope.py"


def write(root: pathlib.Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def git(root: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def commands(root: pathlib.Path, name: str, units: dict[str, str]) -> str:
    """Writes a compile_commands.json of `units` (path -> flags) and returns its path."""
    entries = [{"directory": str(root / "build"), "file": str(root / unit),
                "command": f"c++ {flags} -I{root}/include -c {root / unit}"}
               for unit, flags in units.items()]
    path = root.parent / name
    path.write_text(json.dumps(entries), encoding="utf-8")
    return str(path)


def scope(root: pathlib.Path, base: str, current: str, base_root: pathlib.Path,
          base_commands: str) -> list[str]:
    result = subprocess.run([sys.executable, str(SCOPE), str(root), base, current, str(base_root),
                             base_commands], capture_output=True, text=True, check=True)
    return sorted(pathlib.Path(line).relative_to(root).as_posix()
                  for line in result.stdout.splitlines() if line)


def expect(selected: list[str], wanted: list[str], case: str) -> None:
    if selected != sorted(wanted):
        sys.exit(f"{case}: expected {sorted(wanted)}, got {selected}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = pathlib.Path(folder) / "tree"
        write(root, "include/memsgd/core/error.hpp", "#pragma once\n")
        write(root, "include/memsgd/data/rows.hpp", '#pragma once\n#include "memsgd/core/error.hpp"\n')
        write(root, "src/data/rows.cpp", '#include "memsgd/data/rows.hpp"\n#include <vector>\n')
        write(root, "src/tools/helper.hpp", "#pragma once\n")
        write(root, "src/tools/main.cpp", '#include "helper.hpp"\n')
        write(root, "src/util/random.cpp", "#include <random>\n")
        write(root, ".clang-tidy", "Checks: -*\n")
        git(root.parent, "init", "-q", str(root))
        git(root, "add", ".")
        git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "base")
        base = git(root, "rev-parse", "HEAD")

        # The base's tree elsewhere, with the same commands relative to its own root.
        base_root = pathlib.Path(folder) / "base"
        git(root.parent, "clone", "-q", str(root), str(base_root))
        flags = {"src/data/rows.cpp": "-O2", "src/tools/main.cpp": "-O2", "src/util/random.cpp": "-O2"}
        base_commands = commands(base_root, "base.json", flags)
        current = commands(root, "current.json", flags)

        expect(scope(root, base, current, base_root, base_commands), [], "nothing changed")

        write(root, "include/memsgd/core/error.hpp", "#pragma once\nstruct E {};\n")
        expect(scope(root, base, current, base_root, base_commands), ["src/data/rows.cpp"],
               "a header two includes away changed (unstaged)")
        git(root, "checkout", "-q", "--", ".")

        write(root, "src/tools/helper.hpp", "#pragma once\nint f();\n")
        git(root, "add", ".")
        git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "helper")
        expect(scope(root, base, current, base_root, base_commands), ["src/tools/main.cpp"],
               "a folder-relative header changed (committed)")

        changed_flags = dict(flags, **{"src/util/random.cpp": "-O2 -DNDEBUG"})
        expect(scope(root, base, commands(root, "flags.json", changed_flags), base_root,
                     base_commands), ["src/tools/main.cpp", "src/util/random.cpp"],
               "a unit's compile command changed")

        write(root, "src/util/new_unit.cpp", "int g();\n")
        with_new = dict(flags, **{"src/util/new_unit.cpp": "-O2"})
        expect(scope(root, base, commands(root, "new.json", with_new), base_root, base_commands),
               ["src/tools/main.cpp", "src/util/new_unit.cpp"], "an untracked new unit")
        (root / "src/util/new_unit.cpp").unlink()

        everything = list(flags)
        write(root, ".clang-tidy", "Checks: -*,bugprone-*\n")
        expect(scope(root, base, current, base_root, base_commands), everything,
               ".clang-tidy changed")
        git(root, "checkout", "-q", "--", ".clang-tidy")

        expect(scope(root, "0" * 40, current, base_root, base_commands), everything,
               "a base the history does not hold")
        expect(scope(root, base, current, base_root, ""), everything, "a base that did not configure")
        expect(scope(root, "", current, base_root, base_commands), everything, "--all")
    print("tidy scope: every case selects what it must")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Which units of src/ .ci/tidy must check: those a change since a base commit can affect.

A unit is affected when
  - it, or a project header it includes (directly or through other project headers: quoted
    includes, resolved against the including file's folder, include/ and src/), differs between
    the base commit and the working tree (committed, staged, unstaged or untracked), or
  - its compile command differs from the base's (flags, definitions, include folders), or it is new.
A change to .clang-tidy affects every unit, as does a base that the history does not hold. The base
is a commit at which every unit was clean, so the units left out are, source and command, what was
checked clean there. (A change to the flags .ci/tidy itself passes clang-tidy is not seen here: run
`.ci/tidy --all` with it.)
Prints the affected units, one per line, and why on stderr.
Usage: tidy_scope.py ROOT BASE COMMANDS BASE_ROOT BASE_COMMANDS
  COMMANDS, BASE_COMMANDS: compile_commands.json of the tree at ROOT and of the base's tree,
  extracted at BASE_ROOT (an empty BASE_COMMANDS path when the base could not be configured).
  An empty BASE selects every unit.
"""

import json
import pathlib
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
CHECKS = ".clang-tidy"


def git(root: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=False)


def changed_files(root: pathlib.Path, base: str) -> set[str] | None:
    """Paths (relative to root) that differ from base, or None when base is not a commit here."""
    if git(root, "cat-file", "-e", f"{base}^{{commit}}").returncode != 0:
        return None
    diff = git(root, "diff", "--name-only", base, "--")
    untracked = git(root, "ls-files", "--others", "--exclude-standard")
    if diff.returncode != 0 or untracked.returncode != 0:
        return None
    return set(diff.stdout.split()) | set(untracked.stdout.split())


def resolve(root: pathlib.Path, including: pathlib.Path, name: str) -> pathlib.Path | None:
    for folder in (including.parent, root / "include", root / "src"):
        candidate = folder / name
        if candidate.is_file():
            return candidate.resolve()
    return None  # a system header: not the project's to change


def project_includes(root: pathlib.Path, unit: pathlib.Path) -> set[pathlib.Path]:
    """The unit and every project header it reaches through quoted includes."""
    seen = set()
    pending = [unit.resolve()]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            header = resolve(root, path, name)
            if header is not None:
                pending.append(header)
    return seen


def src_commands(commands_path: str, root: pathlib.Path) -> dict[str, str]:
    """The compile command of every unit of src/, keyed by its path relative to root, with root
    written as "ROOT" so that the commands of two trees compare."""
    commands = {}
    prefix = str(root) + "/"
    for entry in json.loads(pathlib.Path(commands_path).read_text(encoding="utf-8")):
        path = pathlib.Path(entry["file"]).resolve()
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else None
        if relative is not None and relative.startswith("src/"):
            command = entry.get("command") or " ".join(entry["arguments"])
            commands[relative] = command.replace(prefix, "ROOT/").replace(str(root), "ROOT")
    return commands


def affected_units(root: pathlib.Path, base: str, commands: dict[str, str],
                   base_commands: dict[str, str] | None) -> tuple[list[str], str]:
    units = sorted(commands)
    if not base:
        return units, "every unit, as asked"
    changed = changed_files(root, base)
    if changed is None or base_commands is None:
        return units, f"base {base} is not a commit of this clone, or did not configure: every unit"
    if CHECKS in changed:
        return units, f"{CHECKS} changed since {base}: every unit"
    changed_paths = {(root / path).resolve() for path in changed}
    by_source = {unit for unit in units if project_includes(root, root / unit) & changed_paths}
    by_command = {unit for unit in units if base_commands.get(unit) != commands[unit]}
    selected = sorted(by_source | by_command)
    return selected, (f"{len(changed)} files changed since {base}: {len(by_source)} of {len(units)} "
                      f"units include one, {len(by_command)} compile differently; checking "
                      f"{len(selected)}")


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1]).resolve()
    commands = src_commands(sys.argv[3], root)
    base_root = pathlib.Path(sys.argv[4]).resolve()
    base_commands = src_commands(sys.argv[5], base_root) if sys.argv[5] else None
    selected, why = affected_units(root, sys.argv[2], commands, base_commands)
    print(f"tidy: {why}", file=sys.stderr)
    print("\n".join(str(root / unit) for unit in selected))
    return 0


if __name__ == "__main__":
    sys.exit(main())

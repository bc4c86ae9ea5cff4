#!/usr/bin/env python3
"""check_layering.py on small trees: clean includes pass; an upward include, an unknown area and a
file outside every area fail, each named with file:line and the rule."""

import pathlib
import subprocess
import sys
import tempfile

CHECKER = pathlib.Path(__file__).resolve().parent / "check_layering.py"


def write(root: pathlib.Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(root: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), str(root)], capture_output=True,
                          text=True, check=False)


def expect(result: subprocess.CompletedProcess, code: int, *texts: str) -> None:
    if result.returncode != code or any(text not in result.stdout for text in texts):
        sys.exit(f"expected exit {code} and {texts}, got {result.returncode}:\n{result.stdout}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = pathlib.Path(folder)
        write(root, "include/memsgd/core/error.hpp", "#pragma once\n")
        write(root, "include/memsgd/optim/trainer.hpp",
              '#pragma once\n#include "memsgd/core/error.hpp"\n#include <vector>\n')
        write(root, "src/optim/trainer.cpp", '#include "memsgd/optim/trainer.hpp"\n')
        write(root, "src/tools/train_main.cpp",
              '#include "memsgd/optim/trainer.hpp"\n#include "tool_main.hpp"\n')
        expect(run(root), 0, "layering: clean")

        write(root, "include/memsgd/config/run_config.hpp",
              '#pragma once\n\n#include "memsgd/optim/trainer.hpp"\n')
        expect(run(root), 1,
               'include/memsgd/config/run_config.hpp:3: #include "memsgd/optim/trainer.hpp": '
               "config must not include optim, which comes after it")
        write(root, "include/memsgd/config/run_config.hpp", "#pragma once\n")

        write(root, "src/data/dataset.cpp", '#include "memsgd/widgets/knob.hpp"\n')
        expect(run(root), 1, 'src/data/dataset.cpp:1: #include "memsgd/widgets/knob.hpp": '
               "names no area")
        write(root, "src/data/dataset.cpp", '#include "memsgd/error.hpp"\n')
        expect(run(root), 1, 'src/data/dataset.cpp:1: #include "memsgd/error.hpp": names no area')
        write(root, "src/data/dataset.cpp", "")

        write(root, "src/widgets/knob.cpp", "")
        expect(run(root), 1, "src/widgets/knob.cpp: is in no area")


if __name__ == "__main__":
    main()

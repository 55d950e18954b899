"""The project's own promises: the README's commands are what CI runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.+)\n```", text)
    assert match, f"README.md has no single-line sh block after <!-- {marker} -->"
    return match.group(1)


def test_ci_runs_the_readme_test_command() -> None:
    command = readme_command("test-command")
    extracted = subprocess.run(
        [str(ROOT / ".ci" / "readme-command"), "test-command"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == command
    assert ".ci/readme-command test-command" in (ROOT / ".ci" / "run").read_text()
    assert "pytest" in command and ".[test]" in command


def test_the_readme_run_command_installs_and_links_on_the_embedded_gazetteer() -> None:
    command = readme_command("run-command")
    assert command.startswith("python3 -m pip install . && namelink link ")

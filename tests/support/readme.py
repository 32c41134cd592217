"""The README's shell commands as a reader would type them: sections, sh blocks, joined commands."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def section(title: str) -> str:
    text = README.read_text()
    match = re.search(rf"(?ms)^## {re.escape(title)}\n(.*?)(?=^## )", text)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"(?ms)^```sh\n(.*?)^```", text)


def commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and `# →` answers dropped."""
    found, current = [], ""
    for line in block.splitlines():
        stripped = line.split("  #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not stripped and not current:
            continue
        current += stripped + "\n"
        if not stripped.endswith("\\") and current.count("'") % 2 == 0:
            found.append(current.strip())
            current = ""
    return found


def quick_start(port: int) -> tuple[str, str]:
    """The quick start's two curl commands (start a run; read it with `<id>` left in), aimed at `port`."""
    parts = commands(shell_blocks(section("Quick start with curl"))[0])
    assert parts[0].startswith("TOKEN=") and len(parts) == 3, parts
    aimed = [
        p.replace("localhost:8000", f"127.0.0.1:{port}").replace("127.0.0.1:8000", f"127.0.0.1:{port}") for p in parts
    ]
    return aimed[1], aimed[2]

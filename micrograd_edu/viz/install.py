"""How to install what a picture needs, said right for this copy of micrograd_edu."""

from __future__ import annotations

from pathlib import Path


def install_hint(extra: str) -> str:
    """The pip command that installs an extra: into a source checkout (an editable install
    of the clone this file is in) or, for an installed package, from the package index.

    >>> install_hint("viz").startswith("pip install")
    True
    """
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "micrograd_edu" / "viz").is_dir():
        return f'pip install -e "{root}[{extra}]"'
    return f'pip install "micrograd_edu[{extra}]"'

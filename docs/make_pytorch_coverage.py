"""Write docs/pytorch.md, the page of what micrograd_edu covers of PyTorch's API and how it differs.

    python docs/make_pytorch_coverage.py           # the page, from the names stored in the package
    python docs/make_pytorch_coverage.py --names   # first store PyTorch's public names anew (needs torch)

The names PyTorch 2.13 has, namespace by namespace, are stored in
micrograd_edu/pytorch_api.json (what `--names` writes, with torch imported); the page is made
from them and from what micrograd_edu has (micrograd_edu/coverage.py), and a test checks that
the page in the repository is what this script writes now, so it stays true.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "pytorch.md"
sys.path.insert(0, str(ROOT))

from micrograd_edu import coverage  # noqa: E402  (after the path is set)


def torch_names() -> dict[str, list[str]]:
    """PyTorch's public names in each namespace the coverage page lists."""
    import torch

    found = {}
    for namespace in coverage.NAMESPACES:
        obj = torch.Tensor if namespace == "torch.Tensor" else importlib.import_module(namespace)
        listed = getattr(obj, "__all__", None) if namespace != "torch.Tensor" else None
        names = set(listed) if listed else {n for n in dir(obj) if not n.startswith("_")}
        if namespace == "torch":  # torch's own submodules too (torch.nn, torch.linalg), not os or math
            names |= {
                n
                for n in dir(torch)
                if isinstance(getattr(torch, n, None), types.ModuleType)
                and getattr(torch, n).__name__.startswith("torch.")
                and not n.startswith("_")
            }
        if not listed and namespace != "torch.Tensor":  # keep what is PyTorch's, not what it imported
            names = {n for n in names if _is_torchs(getattr(obj, n, None))}
        found[namespace] = sorted(names)
    return found


def _is_torchs(x: object) -> bool:
    if isinstance(x, types.ModuleType):
        return x.__name__.startswith("torch")
    return str(getattr(x, "__module__", "") or "").startswith("torch")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", action="store_true", help="store PyTorch's names first (needs torch)")
    args = parser.parse_args()
    if args.names:
        import torch

        doc = {"torch_version": torch.__version__.split("+")[0], "names": torch_names()}
        coverage.API_FILE.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
        print(f"wrote {coverage.API_FILE}")
    PAGE.write_text(coverage.page())
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()

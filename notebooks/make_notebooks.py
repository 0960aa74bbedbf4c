"""Regenerate the classroom notebooks from the lessons: python notebooks/make_notebooks.py

The lessons (lessons/NN_*.py) are the source; each notebook here is made from one and
committed without outputs. tests/test_lessons.py fails when the two differ.
"""

from pathlib import Path

import nbformat

from micrograd_edu.files import write_atomically
from micrograd_edu.lessons import list_lessons, to_notebook

HERE = Path(__file__).parent


def main() -> None:
    for lesson in list_lessons():
        target = HERE / f"{lesson.stem}.ipynb"
        write_atomically(target, nbformat.writes(to_notebook(lesson)) + "\n")
        print(f"{lesson.name} -> {target}")


if __name__ == "__main__":
    main()

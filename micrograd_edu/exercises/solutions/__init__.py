"""The reference solutions: the same files as the stubs, written out.

They are shown only with a teacher's flag (`micrograd-edu exercise N --solution`), and the
test suite runs every check on them (`micrograd-edu check --all --solution`).
"""

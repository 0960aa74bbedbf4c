"""The hidden checks: for each exercise a `CHECKS = Checks(...)` of tests and their hints.

They test what the student's code does, against independent oracles: central
differences, the package's own implementation, numbers computed once by PyTorch.
"""

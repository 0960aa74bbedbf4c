"""Exercise 1: The chain rule, by hand (a reference solution)"""

import math


def gradients(x: float, w: float, b: float) -> tuple[float, float, float]:
    """(dL/dx, dL/dw, dL/db) for L = tanh(w·x + b) · w."""
    u = w * x  # the forward pass, keeping every step
    s = u + b
    t = math.tanh(s)
    dL_dt = w  # L = t·w: the local derivative with respect to t is w
    dL_ds = dL_dt * (1 - t * t)  # t = tanh(s)
    dL_du = dL_ds  # s = u + b passes the gradient on to both
    dL_db = dL_ds
    dL_dx = dL_du * w  # u = w·x
    dL_dw = dL_du * x + t  # w's two shares: through u, and from L = t·w directly
    return dL_dx, dL_dw, dL_db

"""The numbers and identities of lessons 2, 4, 7, 9, 10, 12, 15, 16, 17 and 18, checked.

Two tables, read as lists of facts:

- ``WORKED_NUMBERS``: each worked example's printed numbers, recomputed with NumPy from the
  example's inputs. The printed fragment is looked up in that lesson's own file (by slug), so
  the check fails if the lesson's text drifts away from the number that is tested. The
  tolerance is half a unit in the last printed digit (taken from the printed string), unless
  the lesson says "about" or states an exact fraction.
- ``IDENTITIES``: each general formula a lesson states, evaluated at random inputs with
  distinct sizes and non-symmetric matrices (unless the lesson states a condition), against
  finite differences or a brute-force computation. Each returns ``(formula, measured)`` and
  optionally a relative tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from math import factorial
from pathlib import Path

import numpy as np
import pytest

from tests.content.test_lesson_formulas import num_grad, num_hess, num_jac

LESSONS = Path(__file__).resolve().parents[2] / "content" / "lessons"

L02 = "02-partial-derivatives-and-the-gradient"
L04 = "04-jacobians"
L07 = "07-scalar-by-matrix"
L09 = "09-the-chain-rule"
L10 = "10-non-smooth-functions"
L12 = "12-forward-and-reverse-mode"
L15 = "15-optimisation"
L16 = "16-curvature-in-ml"
L17 = "17-case-studies"
L18 = "18-beyond-matrices"

# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def mats(seed: int, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    r = rng(seed)
    return [r.standard_normal(s) for s in shapes]


def spd(n: int, seed: int) -> np.ndarray:
    a = rng(seed).standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - np.max(z))
    return e / e.sum()


def vec(X: np.ndarray) -> np.ndarray:
    """Stack the columns (column-major), as lesson 18 defines vec."""
    return np.asarray(X).ravel(order="F")


def expm(A: np.ndarray) -> np.ndarray:
    """Matrix exponential by scaling and squaring a Taylor series (numpy only)."""
    s = max(0, int(np.ceil(np.log2(max(np.abs(A).sum(axis=1).max(), 1e-300)))) + 1)
    B = A / 2**s
    E, term = np.eye(len(A)), np.eye(len(A))
    for k in range(1, 25):
        term = term @ B / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E


def soft(z, lam):
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


def lesson_text(slug: str) -> str:
    path = LESSONS / f"{slug}.md"
    if not path.exists():
        pytest.fail(f"lesson {slug!r} is gone: no file {path}")
    return path.read_text(encoding="utf-8")


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def half_unit(number: str) -> float:
    """Half a unit in the last printed digit: '0.145' -> 0.0005, '8' -> 0.5, '4e-07' -> 5e-8."""
    mantissa, _, exponent = number.partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0))


def fact(slug, fragment, computed, stated, tol=None, *, id):
    """A number printed in a lesson. ``stated`` is the value as printed, a string such as
    '0.85, 1.32' (its tolerance is half a unit in each number's last digit), or numbers with an
    explicit ``tol`` (exact fractions, or "about")."""
    if isinstance(stated, str):
        numbers = _NUMBER.findall(stated)
        assert numbers, f"no number in {stated!r}"
        values = [float(x) for x in numbers]
        tols = [half_unit(x) for x in numbers]
        stated = values if len(values) > 1 else values[0]
        if tol is None:
            tol = tols if len(tols) > 1 else tols[0]
    assert tol is not None, f"{id}: give a tolerance for a stated value that is not a string"
    return pytest.param(slug, fragment, computed, stated, tol, id=id)


# ----------------------------------------------------------------------------------------
# Lesson 2: partial derivatives and the gradient
# ----------------------------------------------------------------------------------------


def _f2(v):
    x, y = v
    return x**2 * y + y**3


_a2 = np.array([2.0, 1.0])
_u2 = np.array([0.6, 0.8])


def _sym(f, a, d, t):
    return (f(a + t * d) - f(a - t * d)) / (2 * t)


def _level_y(x, c=5.0, y=1.0):
    """Solve x^2 y + y^3 = c for y near 1 by Newton's method."""
    for _ in range(50):
        y -= (x**2 * y + y**3 - c) / (x**2 + 3 * y**2)
    return y


_g2 = num_grad(_f2, _a2)
_e2 = np.array([1.0, 0])

WORKED_NUMBERS = [
    fact(
        L02,
        "the quotient is $4.1$ for $h = 0.1$ and $4.01$ for $h = 0.01$",
        [(_f2(_a2 + h * _e2) - _f2(_a2)) / h for h in (0.1, 0.01)],
        "4.1, 4.01",
        id="L2 forward quotients at (2,1)",
    ),
    fact(
        L02,
        r"\nabla f(2, 1) = \begin{bmatrix} 4 \\ 7 \end{bmatrix}",
        _g2,
        "4, 7",
        id="L2 gradient at (2,1)",
    ),
    fact(L02, "is $4.0000000$ (exact", _sym(_f2, _a2, _e2, 1e-3), "4.0000000", id="L2 sym x"),
    fact(
        L02,
        r"\big(f(2, 1.001) - f(2, 0.999)\big)/0.002 = 7.000001",
        _sym(_f2, _a2, np.array([0, 1.0]), 1e-3),
        "7.000001",
        id="L2 sym y",
    ),
    fact(
        L02,
        "it shrinks a hundredfold when $h$ shrinks tenfold",
        (_sym(_f2, _a2, np.array([0, 1.0]), 1e-3) - 7)
        / (_sym(_f2, _a2, np.array([0, 1.0]), 1e-4) - 7),
        100.0,
        0.5,
        id="L2 error ratio 100",
    ),
    fact(
        L02,
        r"= \tfrac{12}{5} + \tfrac{28}{5} = 8 .",
        _g2 @ (np.array([3.0, 4]) / 5),
        "8",
        id="L2 directional derivative",
    ),
    fact(L02, "is $8.0000008$", _sym(_f2, _a2, _u2, 1e-3), "8.0000008", id="L2 sym along u"),
    fact(
        L02,
        r"$4 \cdot 3 + 7 \cdot 4 = 40$, five times too large",
        [_g2 @ [3, 4], (_g2 @ [3, 4]) / (_g2 @ _u2)],
        "40, 5",
        id="L2 unnormalised v",
    ),
    fact(L02, r"\sqrt{65} \approx 8.062", np.linalg.norm(_g2), "8.062", id="L2 steepest slope"),
    fact(
        L02,
        r"(4, 7)/\sqrt{65} \approx (0.496, 0.868)",
        _g2 / np.linalg.norm(_g2),
        "0.496, 0.868",
        id="L2 steepest direction",
    ),
    fact(
        L02,
        "is about $7.1°$ away from it",
        np.degrees(np.arccos(_u2 @ _g2 / np.linalg.norm(_g2))),
        "7.1",
        id="L2 angle to u",
    ),
    fact(L02, "$f(2, 1) = 5$", _f2(_a2), "5", id="L2 f(2,1)"),
    fact(
        L02,
        r"$4 \cdot 7 + 7 \cdot (-4) = 0$",
        _g2 @ [7, -4],
        "0",
        id="L2 tangent (7,-4) is perpendicular",
    ),
    fact(
        L02,
        "$dy/dx = -4/7$",
        (_level_y(2 + 1e-5) - _level_y(2 - 1e-5)) / 2e-5,
        -4 / 7,
        1e-7,
        id="L2 slope of the level curve",
    ),
    fact(
        L02,
        "At $x = (1, 1)$ it is $(2, 4)$, perpendicular to the ellipse $x_1^2 + 2x_2^2 = 3$",
        [
            *num_grad(lambda x: x[0] ** 2 + 2 * x[1] ** 2, np.ones(2)),
            1 + 2,
            num_grad(lambda x: x[0] ** 2 + 2 * x[1] ** 2, np.ones(2)) @ [2, -1],
        ],
        "2, 4, 3, 0",
        id="L2 ellipse gradient and tangent (2,-1)",
    ),
    fact(
        L02,
        r"it is zero exactly at $(1, -\tfrac12)$",
        num_grad(lambda v: (v[0] - 1) ** 2 + 2 * (v[1] + 0.5) ** 2, np.array([1, -0.5])),
        [0, 0],
        1e-9,
        id="L2 critical point of the bowl",
    ),
    fact(
        L02,
        r"the function is $\tfrac12$ however close you get",
        [
            (lambda t: t * t / (2 * t * t))(1e-9),
            (lambda t: (t * 0) / t**2)(1e-6),
        ],
        [0.5, 0],
        1e-12,
        id="L2 xy/(x^2+y^2): 1/2 on the diagonal, 0 on the axes",
    ),
]


def l2_partials_x2y2():
    x = rng(200).standard_normal(2)
    return [2 * x[0] * x[1] ** 2, 2 * x[0] ** 2 * x[1]], num_grad(
        lambda v: v[0] ** 2 * v[1] ** 2, x
    )


def l2_partials_x_exp_xy():
    x, y = rng(201).standard_normal(2)
    stated = [np.exp(x * y) + x * y * np.exp(x * y), x**2 * np.exp(x * y)]
    return stated, num_grad(lambda v: v[0] * np.exp(v[0] * v[1]), np.array([x, y]))


def l2_partials_of_example():
    v = rng(202).standard_normal(2)
    return [2 * v[0] * v[1], v[0] ** 2 + 3 * v[1] ** 2], num_grad(_f2, v)


def _f2n(x):
    A = np.arange(1.0, 17).reshape(4, 4) / 10
    return np.sin(x[0] * x[1]) + x @ A @ x + np.exp(x[2] - x[3])


def l2_directional_derivative():
    r = rng(203)
    a, v = r.standard_normal(4), r.standard_normal(4)
    u = v / np.linalg.norm(v)
    return [num_grad(_f2n, a) @ u], [_sym(_f2n, a, u, 1e-5)]


def l2_steepest_ascent():
    """Over 20000 unit directions in the plane the largest slope is ||grad|| along grad/||grad||,
    the smallest -||grad||, and the slope is 0 perpendicular to grad."""
    a = rng(204).standard_normal(2)
    f = lambda v: np.sin(3 * v[0]) * v[1] + v[1] ** 3  # noqa: E731
    g = num_grad(f, a)
    th = np.linspace(0, 2 * np.pi, 20000, endpoint=False)
    U = np.stack([np.cos(th), np.sin(th)])
    slopes = _sym(f, a[:, None], U, 1e-5)
    best = U[:, np.argmax(slopes)]
    perp = np.array([-g[1], g[0]]) / np.linalg.norm(g)
    stated = [np.linalg.norm(g), -np.linalg.norm(g), *(g / np.linalg.norm(g)), 0.0]
    measured = [slopes.max(), slopes.min(), *best, _sym(f, a, perp, 1e-5)]
    return stated, measured, 2e-3


def l2_gradient_perpendicular_to_level_curve():
    f = lambda v: np.exp(v[0]) + v[0] * v[1] ** 2 + v[1] ** 3  # noqa: E731
    a = np.array([0.3, 0.7])
    c = f(a)

    def y_on_level(x):
        y = a[1]
        for _ in range(60):
            y -= (f([x, y]) - c) / (2 * x * y + 3 * y**2)
        return y

    h = 1e-5
    tangent = np.array([2 * h, y_on_level(a[0] + h) - y_on_level(a[0] - h)])
    g = num_grad(f, a)
    return [g @ tangent / (np.linalg.norm(g) * np.linalg.norm(tangent))], [0.0]


def l2_linear_approximation_error_is_small():
    """f(a+h) - f(a) - grad^T h = o(||h||): shrinking h tenfold shrinks it about a hundredfold."""
    r = rng(205)
    a, d = r.standard_normal(4), r.standard_normal(4)
    g = num_grad(_f2n, a)
    err = [abs(_f2n(a + t * d) - _f2n(a) - g @ (t * d)) for t in (1e-3, 1e-4)]
    return [err[0] / err[1]], [100.0], 5e-3


def l2_gradient_of_xtx():
    x = rng(206).standard_normal(5)
    return 2 * x, num_grad(lambda v: v @ v, x)


def l2_gradient_of_btx_plus_3():
    b, x = mats(207, (5,), (5,))
    return b, num_grad(lambda v: b @ v + 3, x)


# ----------------------------------------------------------------------------------------
# Lesson 4: Jacobians
# ----------------------------------------------------------------------------------------


def _sq(v):
    return np.array([v[0] ** 2 - v[1] ** 2, 2 * v[0] * v[1]])


_p4 = np.array([1.0, 0.5])
_h4 = np.array([0.1, 0.1])
_J4 = num_jac(_sq, _p4)
_z4 = np.array([0.0, np.log(3), -np.log(3)])
_A4 = np.array([[1.0, 2], [0, -1]])
_x4 = np.array([1.0, 2])
_N4 = np.array([[0.0, 1], [0, 0]])
_D4 = np.diag([-1.0, 2])

WORKED_NUMBERS += [
    fact(L04, r"$f(p) = (1 - 0.25,\ 1) = (0.75, 1)$", _sq(_p4), "0.75, 1", id="L4 f(p)"),
    fact(
        L04,
        r"$J(p) = \begin{bmatrix} 2 & -1 \\ 1 & 2 \end{bmatrix}$",
        _J4,
        [[2, -1], [1, 2]],
        0.5,
        id="L4 J(p)",
    ),
    fact(L04, r"which is $4 + 1 = 5$ at $p$", np.linalg.det(_J4), "5", id="L4 det J(p)"),
    fact(
        L04,
        r"f(p) + J(p)h = (0.75, 1) + (0.2 - 0.1,\ 0.1 + 0.2) = (0.85, 1.3)",
        _sq(_p4) + _J4 @ _h4,
        "0.85, 1.3",
        id="L4 linear prediction",
    ),
    fact(L04, r"= (0.85, 1.32)$", _sq(_p4 + _h4), "0.85, 1.32", id="L4 true value"),
    fact(
        L04,
        "The error $(0, 0.02)$ is exactly",
        [
            *(_sq(_p4 + _h4) - _sq(_p4) - _J4 @ _h4),
            *(_sq(_p4 + _h4) - _sq(_p4) - _J4 @ _h4 - _sq(_h4)),
        ],
        "0, 0.02, 0, 0",
        id="L4 error (0, 0.02) = (h1^2 - h2^2, 2 h1 h2)",
    ),
    fact(
        L04,
        "halve $h$ and it drops to a quarter",
        np.linalg.norm(_sq(_p4 + _h4) - _sq(_p4) - _J4 @ _h4)
        / np.linalg.norm(_sq(_p4 + _h4 / 2) - _sq(_p4) - _J4 @ _h4 / 2),
        4.0,
        1e-9,
        id="L4 error ratio 4",
    ),
    fact(
        L04,
        r"$\sigma(0) = 1/2$, $\sigma(\ln 3) = 1/(1 + 1/3) = 3/4$, $\sigma(-\ln 3) = 1/(1 + 3) = 1/4$",
        sigmoid(_z4),
        [1 / 2, 3 / 4, 1 / 4],
        1e-12,
        id="L4 sigmoid values",
    ),
    fact(
        L04,
        r"$\partial \sigma(z)/\partial z = \operatorname{diag}(1/4,\ 3/16,\ 3/16)$",
        num_jac(sigmoid, _z4),
        np.diag([1 / 4, 3 / 16, 3 / 16]),
        1e-9,
        id="L4 sigmoid Jacobian",
    ),
    fact(
        L04,
        r"$\sigma(0.001) - \sigma(-0.001) \approx 0.0005$, and $0.0005 / 0.002 = 0.25$",
        [sigmoid(0.001) - sigmoid(-0.001), (sigmoid(0.001) - sigmoid(-0.001)) / 0.002],
        "0.0005, 0.25",
        id="L4 sigmoid difference",
    ),
    fact(L04, "$Ax = (5, -2)$", _A4 @ _x4, "5, -2", id="L4 Ax"),
    fact(
        L04,
        r"= \begin{bmatrix} 6 & 2 \\ 0 & -4 \end{bmatrix}$",
        num_jac(lambda x: x * (_A4 @ x), _x4),
        [[6, 2], [0, -4]],
        0.5,
        id="L4 Jacobian of x * Ax",
    ),
    fact(
        L04,
        r"$\partial x / \partial x_0 = \begin{bmatrix} 1 & 3 \\ 0 & 1 \end{bmatrix}$",
        num_jac(lambda x0: expm(3 * _N4) @ x0, np.array([1.0, 2])),
        [[1, 3], [0, 1]],
        0.5,
        id="L4 nilpotent e^(3A)",
    ),
    fact(
        L04,
        r"$x(t) = (1 + 2t,\ 2)$, and $\mathrm{d}x/\mathrm{d}t = (2, 0)$",
        [
            *(expm(0.7 * _N4) @ [1, 2] - [1 + 2 * 0.7, 2]),
            *num_jac(lambda t: expm(t[0] * _N4) @ [1, 2], np.array([0.7]))[:, 0],
        ],
        "0, 0, 2, 0",
        id="L4 nilpotent x(t) and dx/dt",
    ),
    fact(
        L04,
        r"At $t = \ln 2$ this is $\operatorname{diag}(1/2, 4)$",
        expm(np.log(2) * _D4),
        np.diag([0.5, 4]),
        1e-9,
        id="L4 e^(At) at ln 2",
    ),
    fact(
        L04,
        r"$x(\ln 2) = (2, 4)$ and $\mathrm{d}x/\mathrm{d}t = (-e^{-t} \cdot 4,\ 2e^{2t}) = (-2, 8)$",
        [
            *(expm(np.log(2) * _D4) @ [4, 1]),
            *num_jac(lambda t: expm(t[0] * _D4) @ [4, 1], np.array([np.log(2)]))[:, 0],
        ],
        "2, 4, -2, 8",
        id="L4 diagonal x(ln 2) and dx/dt",
    ),
    fact(
        L04,
        r"areas grow by $\det = 2$",
        np.linalg.det(num_jac(lambda x0: expm(np.log(2) * _D4) @ x0, np.array([4.0, 1]))),
        "2",
        id="L4 det of e^(A ln 2)",
    ),
]


def l4_squaring_map_jacobian_and_det():
    p = rng(400).standard_normal(2)
    J = np.array([[2 * p[0], -2 * p[1]], [2 * p[1], 2 * p[0]]])
    Jn = num_jac(_sq, p)
    return [*J.ravel(), 4 * (p @ p)], [*Jn.ravel(), np.linalg.det(Jn)]


def l4_linear_map_jacobian():
    A, b, x = mats(401, (4, 3), (4,), (3,))
    return A, num_jac(lambda x: A @ x + b, x)


def l4_elementwise_diagonal():
    z = rng(402).standard_normal(5)
    return np.diag(1 - np.tanh(z) ** 2), num_jac(np.tanh, z)


def l4_activation_of_linear():
    W, b, x = mats(403, (4, 3), (4,), (3,))
    return np.diag(1 - np.tanh(W @ x + b) ** 2) @ W, num_jac(lambda x: np.tanh(W @ x + b), x)


def l4_softmax_jacobian_is_not_diagonal():
    """Every softmax output depends on every input: J = diag(s) - s s^T, off-diagonals != 0."""
    z = rng(413).standard_normal(4)
    J = num_jac(softmax, z)
    s = softmax(z)
    off = J[~np.eye(4, dtype=bool)]
    return np.concatenate([(np.diag(s) - np.outer(s, s)).ravel(), [1.0]]), np.concatenate(
        [J.ravel(), [float(np.all(np.abs(off) > 1e-3))]]
    )


def l4_hadamard_product_rule():
    B, C, x = mats(404, (4, 3), (4, 3), (3,))
    u, v = lambda x: np.tanh(B @ x), lambda x: np.sin(C @ x)  # noqa: E731
    stated = np.diag(v(x)) @ num_jac(u, x) + np.diag(u(x)) @ num_jac(v, x)
    return stated, num_jac(lambda x: u(x) * v(x), x)


def l4_hadamard_special_cases():
    a, x = mats(405, (4,), (4,))
    return np.concatenate([np.diag(a), 2 * np.diag(x)]), np.concatenate(
        [num_jac(lambda x: a * x, x), num_jac(lambda x: x * x, x)]
    )


def l4_broadcast_and_its_backward():
    """d(x + b 1)/db = 1 (n x 1), and dL/db is the sum of dL/df."""
    x, c = mats(406, (5,), (5,))
    b = np.array([0.3])
    L = lambda f: np.sum(np.sin(f) * c)  # noqa: E731
    upstream = num_grad(L, x + b[0])
    return np.concatenate([np.ones(5), [upstream.sum()]]), np.concatenate(
        [num_jac(lambda b: x + b[0], b)[:, 0], num_grad(lambda b: L(x + b[0]), b)]
    )


def l4_sum_reductions():
    x, w = mats(407, (5,), (5,))
    return np.concatenate([np.cos(x), 2 * x, w]), np.concatenate(
        [
            num_grad(lambda x: np.sum(np.sin(x)), x),
            num_grad(lambda x: np.sum(x * x), x),
            num_grad(lambda x: np.sum(w * x), x),
        ]
    )


def l4_expm_derivative_by_time():
    A = rng(408).standard_normal((3, 3))
    x0, t = rng(409).standard_normal(3), 0.8
    return A @ expm(A * t) @ x0, num_jac(lambda s: expm(A * s[0]) @ x0, np.array([t]))[:, 0]


def l4_expm_derivative_by_start():
    A = rng(410).standard_normal((3, 3))
    return expm(0.6 * A), num_jac(lambda x0: expm(0.6 * A) @ x0, rng(411).standard_normal(3))


def l4_expm_is_the_series():
    A = rng(412).standard_normal((3, 3)) * 0.3
    series = sum(np.linalg.matrix_power(A, k) / factorial(k) for k in range(30))
    return expm(A), series


# ----------------------------------------------------------------------------------------
# Lesson 7: scalar-by-matrix gradients
# ----------------------------------------------------------------------------------------

_W7 = np.array([[1.0, 2], [0, 1]])
_X7 = np.array([[1.0, 0, 1], [2, 1, 0]])
_Y7 = np.array([[4.0, 1, 1], [1, 1, 1]])


def _L7(W, X=_X7):
    return float(np.sum((W @ X - _Y7) ** 2))


_W7b = _W7 + [[0, 0.01], [0, 0]]
_W7c = _W7 - [[0, 0.01], [0, 0]]
_N7 = np.array([[0.0, 1], [0, 0]])

WORKED_NUMBERS += [
    fact(
        L07,
        "with respect to $X_{11}, X_{12}, X_{21}, X_{22}$ are $1, 3, 2, 4$",
        num_grad(lambda X: np.trace(np.array([[1.0, 2], [3, 4]]) @ X), np.eye(2)).ravel(),
        "1, 3, 2, 4",
        id="L7 tr(AX) partials",
    ),
    fact(
        L07,
        r"so $R = WX - Y = \begin{bmatrix} 1 & 1 & 0 \\ 1 & 0 & -1 \end{bmatrix}$ and "
        r"$L = 1 + 1 + 0 + 1 + 0 + 1 = 4$",
        [*(_W7 @ _X7 - _Y7).ravel(), _L7(_W7)],
        "1, 1, 0, 1, 0, -1, 4",
        id="L7 residual and loss",
    ),
    fact(
        L07,
        r"$R X^\top = \begin{bmatrix} 1 & 3 \\ 0 & 2 \end{bmatrix}$",
        ((_W7 @ _X7 - _Y7) @ _X7.T).ravel(),
        "1, 3, 0, 2",
        id="L7 R X^T",
    ),
    fact(
        L07,
        r"\nabla_W L = 2RX^\top = \begin{bmatrix} 2 & 6 \\ 0 & 4 \end{bmatrix}",
        num_grad(_L7, _W7).ravel(),
        "2, 6, 0, 4",
        id="L7 weight gradient",
    ),
    fact(
        L07,
        r"$L = 1.02^2 + 1.01^2 + 0 + 1 + 0 + 1 = 4.0605$",
        [*(_W7b @ _X7 - _Y7)[0], _L7(_W7b)],
        "1.02, 1.01, 0, 4.0605",
        id="L7 loss at W12 = 2.01",
    ),
    fact(
        L07,
        r"The gradient predicted $4 + 6 \times 0.01 = 4.06$; the difference $0.0005$",
        [_L7(_W7) + num_grad(_L7, _W7)[0, 1] * 0.01, _L7(_W7b) - _L7(_W7) - 0.06],
        "4.06, 0.0005",
        id="L7 prediction and second-order gap",
    ),
    fact(
        L07,
        r"($0.01^2$ times $\lVert (2, 1, 0) \rVert^2 = 5$)",
        [(_L7(_W7b) - _L7(_W7) - 0.06) / 0.01**2],
        "5",
        id="L7 gap = h^2 * 5",
    ),
    fact(
        L07,
        r"The central difference $\big(L(2.01) - L(1.99)\big)/0.02$ is exactly $6$",
        (_L7(_W7b) - _L7(_W7c)) / 0.02,
        6.0,
        1e-9,
        id="L7 central difference",
    ),
    fact(
        L07,
        r"$\nabla_X L = 2W^\top R = \begin{bmatrix} 2 & 2 & 0 \\ 6 & 4 & -2 \end{bmatrix}$",
        num_grad(lambda X: _L7(_W7, X), _X7).ravel(),
        "2, 2, 0, 6, 4, -2",
        id="L7 input gradient",
    ),
    fact(
        L07,
        r"whose trace is $h$. The rate is $1$",
        [
            np.trace(np.array([[1, 0], [0.3, 1]]).T @ _N7 @ np.array([[1, 0], [0.3, 1]])),
            num_grad(lambda X: np.trace(X.T @ _N7 @ X), np.eye(2))[1, 0],
            2 * (_N7 @ np.eye(2))[1, 0],
        ],
        [0.3, 1, 0],
        1e-9,
        id="L7 unsymmetrised 2AX predicts 0, rate is 1",
    ),
]


def l7_grad_tr_AX():
    A, X = mats(700, (3, 4), (4, 3))
    return A.T, num_grad(lambda X: np.trace(A @ X), X)


def l7_grad_tr_XtA():
    A, X = mats(701, (4, 3), (4, 3))
    return A, num_grad(lambda X: np.trace(X.T @ A), X)


def l7_grad_atXb():
    a, b, X = mats(702, (4,), (3,), (4, 3))
    return np.outer(a, b), num_grad(lambda X: a @ X @ b, X)


def l7_grad_tr_AXB():
    A, X, B = mats(703, (2, 4), (4, 3), (3, 2))
    return A.T @ B.T, num_grad(lambda X: np.trace(A @ X @ B), X)


def l7_grad_tr_AXtB():  # check-yourself: transposed X, gradient BA
    A, X, B = mats(704, (2, 3), (4, 3), (4, 2))
    return B @ A, num_grad(lambda X: np.trace(A @ X.T @ B), X)


def l7_grad_tr_XtAX():
    A, X = mats(705, (3, 3), (3, 5))
    return (A + A.T) @ X, num_grad(lambda X: np.trace(X.T @ A @ X), X)


def l7_grad_tr_XAXt():
    X, A = mats(706, (4, 3), (3, 3))
    return X @ (A + A.T), num_grad(lambda X: np.trace(X @ A @ X.T), X)


def l7_symmetric_A_gives_2AX_and_2XA():
    S = spd(3, 707)
    X, Z = mats(708, (3, 5), (4, 3))
    return np.concatenate([(2 * S @ X).ravel(), (2 * Z @ S).ravel()]), np.concatenate(
        [
            num_grad(lambda X: np.trace(X.T @ S @ X), X).ravel(),
            num_grad(lambda Z: np.trace(Z @ S @ Z.T), Z).ravel(),
        ]
    )


def l7_grad_frobenius():
    (X,) = mats(709, (4, 3))
    return 2 * X, num_grad(lambda X: np.sum(X * X), X)


def l7_grad_least_squares_by_W():
    W, X, Y = mats(710, (2, 4), (4, 3), (2, 3))
    return 2 * (W @ X - Y) @ X.T, num_grad(lambda W: np.sum((W @ X - Y) ** 2), W)


def l7_grad_least_squares_by_X():
    W, X, Y = mats(711, (2, 4), (4, 3), (2, 3))
    return 2 * W.T @ (W @ X - Y), num_grad(lambda X: np.sum((W @ X - Y) ** 2), X)


def l7_random_direction_check():
    """The lesson's code: a central difference along V matches tr(G^T V)."""
    r = np.random.default_rng(0)
    W, X, Y = r.normal(size=(3, 4)), r.normal(size=(4, 5)), r.normal(size=(3, 5))
    L = lambda W: np.sum((W @ X - Y) ** 2)  # noqa: E731
    G = 2 * (W @ X - Y) @ X.T
    V = r.normal(size=W.shape)
    h = 1e-5
    return [np.sum(G * V)], [(L(W + h * V) - L(W - h * V)) / (2 * h)]


# ----------------------------------------------------------------------------------------
# Lesson 9: the chain rule
# ----------------------------------------------------------------------------------------


def _f9(x):
    return np.array([x[0] + x[1], x[0] * x[1], x[1] ** 2])


def _g9(u):
    return np.array([u[0] * u[1], u[1] + u[2] ** 2])


_x9 = np.array([1.0, 2])
_W9 = np.array([[1.0, 2], [0, 1]])
_X9 = np.array([[1.0, 0, 2], [1, 1, 0]])
_Y9 = np.array([[2.0, 1, 1], [0, 0, 1]])


def _L9(W, X=_X9):
    return 0.5 * float(np.sum((W @ X - _Y9) ** 2))


def _F9(x):
    return x**3 + x**4  # f(x, u) = x u + u^2 with u = x^2, substituted


_E21 = np.array([[0.0, 0], [1, 0]])

WORKED_NUMBERS += [
    fact(L09, "Forward: $u = f(1, 2) = (3, 2, 4)$", _f9(_x9), "3, 2, 4", id="L9 u = f(x)"),
    fact(
        L09,
        r"= \begin{bmatrix} 1 & 1 \\ 2 & 1 \\ 0 & 4 \end{bmatrix}$ ($3 \times 2$)",
        num_jac(_f9, _x9).ravel(),
        "1, 1, 2, 1, 0, 4",
        id="L9 inner Jacobian",
    ),
    fact(
        L09,
        r"= \begin{bmatrix} 2 & 3 & 0 \\ 0 & 1 & 8 \end{bmatrix}$ ($2 \times 3$)",
        num_jac(_g9, _f9(_x9)).ravel(),
        "2, 3, 0, 0, 1, 8",
        id="L9 outer Jacobian at u",
    ),
    fact(
        L09,
        r"= \begin{bmatrix} 8 & 5 \\ 2 & 33 \end{bmatrix}$ ($2 \times 2$)",
        [
            *(num_jac(_g9, _f9(_x9)) @ num_jac(_f9, _x9)).ravel(),
            *num_jac(lambda x: _g9(_f9(x)), _x9).ravel(),
        ],
        "8, 5, 2, 33, 8, 5, 2, 33",
        id="L9 product = Jacobian of the composition",
    ),
    fact(
        L09,
        "give the columns $(8.000, 2.000)$ and $(5.000, 33.000008)$",
        num_jac(lambda x: _g9(_f9(x)), _x9, h=1e-3).T.ravel(),
        "8.000, 2.000, 5.000, 33.000008",
        id="L9 central differences h=0.001",
    ),
    fact(
        L09,
        r"($h^2 \cdot 48 / 6 = 8 \times 10^{-6}$ for $x_2^4$)",
        num_jac(lambda x: _g9(_f9(x)), _x9, h=1e-3)[1, 1] - 33,
        8e-6,
        5e-7,
        id="L9 O(h^2) excess",
    ),
    fact(
        L09,
        r"At $x = 2$ both give $12 + 32 = 44$, while the partial derivative alone would give $u = 4$",
        [
            (lambda x, u: u + (x + 2 * u) * 2 * x)(2.0, 4.0),
            num_grad(lambda v: _F9(v[0]), np.array([2.0]))[0],
            2.0**2,
        ],
        "44, 44, 4",
        id="L9 total derivative at 2",
    ),
    fact(
        L09,
        r"returns $44.0000000008$",
        (_F9(2 + 1e-6) - _F9(2 - 1e-6)) / 2e-6,
        "44.0000000008",
        id="L9 central difference h=1e-6",
    ),
    fact(
        L09,
        r"Forward: $U = WX = \begin{bmatrix} 3 & 2 & 2 \\ 1 & 1 & 0 \end{bmatrix}$",
        (_W9 @ _X9).ravel(),
        "3, 2, 2, 1, 1, 0",
        id="L9 U = WX",
    ),
    fact(
        L09,
        r"\begin{bmatrix} 1 & 1 & 1 \\ 1 & 1 & -1 \end{bmatrix}$, and $L = \tfrac12 \cdot 6 = 3$",
        [*(_W9 @ _X9 - _Y9).ravel(), _L9(_W9)],
        "1, 1, 1, 1, 1, -1, 3",
        id="L9 G and L",
    ),
    fact(
        L09,
        r"= \begin{bmatrix} 3 & 2 \\ -1 & 2 \end{bmatrix}$.",
        num_grad(_L9, _W9).ravel(),
        "3, 2, -1, 2",
        id="L9 grad W = G X^T",
    ),
    fact(
        L09,
        r"$L(h) = \tfrac12\big(3 + (1+h)^2 + 1 + (-1 + 2h)^2\big) = 3 - h + \tfrac52 h^2$",
        [_L9(_W9 + 0.3 * _E21) - (3 - 0.3 + 2.5 * 0.09)],
        [0.0],
        1e-12,
        id="L9 L(h) polynomial",
    ),
    fact(
        L09,
        r"with $h = 0.001$ is $(L(h) - L(0))/h = -0.9975$",
        (_L9(_W9 + 1e-3 * _E21) - _L9(_W9)) / 1e-3,
        "-0.9975",
        id="L9 forward difference",
    ),
    fact(
        L09,
        r"the central difference gives $-1$ exactly",
        (_L9(_W9 + 1e-3 * _E21) - _L9(_W9 - 1e-3 * _E21)) / 2e-3,
        -1.0,
        1e-9,
        id="L9 central difference",
    ),
    fact(
        L09,
        r"= \begin{bmatrix} 1 & 1 & 1 \\ 3 & 3 & 1 \end{bmatrix}$, a $2 \times 3$ matrix like $X$",
        num_grad(lambda X: _L9(_W9, X), _X9).ravel(),
        "1, 1, 1, 3, 3, 1",
        id="L9 grad X = W^T G",
    ),
]


def l9_jacobians_multiply():
    B, C, x = mats(900, (4, 3), (2, 4), (3,))
    f = lambda x: np.tanh(B @ x)  # noqa: E731  R^3 -> R^4
    g = lambda u: np.sin(C @ u) * u[:2]  # noqa: E731  R^4 -> R^2
    stated = num_jac(g, f(x)) @ num_jac(f, x)
    assert stated.shape == (2, 3)
    return stated, num_jac(lambda x: g(f(x)), x)


def l9_index_form_is_the_product():
    B, C, x = mats(901, (4, 3), (2, 4), (3,))
    f = lambda x: np.tanh(B @ x)  # noqa: E731
    g = lambda u: np.exp(C @ u)  # noqa: E731
    Jg, Jf = num_jac(g, f(x)), num_jac(f, x)
    index = np.array(
        [[sum(Jg[i, k] * Jf[k, j] for k in range(4)) for j in range(3)] for i in (0, 1)]
    )
    return index, num_jac(lambda x: g(f(x)), x)


def l9_wrong_order_differs():
    """When both orders exist, J_f J_g is a different matrix (here even a different shape)."""
    f = _f9
    x = rng(902).standard_normal(2)
    right = num_jac(_g9, f(x)) @ num_jac(f, x)
    wrong = num_jac(f, x) @ num_jac(_g9, f(x))
    return [right.shape != wrong.shape], [True]


def l9_gradient_form():
    A, x = mats(903, (4, 3), (3,))
    f = lambda x: np.tanh(A @ x)  # noqa: E731
    ell = lambda u: np.sum(np.cos(u)) + u @ u  # noqa: E731
    return num_jac(f, x).T @ num_grad(ell, f(x)), num_grad(lambda x: ell(f(x)), x)


def l9_half_least_squares():
    A, b, x = mats(904, (4, 3), (4,), (3,))
    return A.T @ (A @ x - b), num_grad(lambda x: 0.5 * np.sum((A @ x - b) ** 2), x)


def l9_elementwise_then_linear():
    A, c, x = mats(905, (4, 3), (4,), (3,))
    ell = lambda u: c @ u + 0.5 * u @ u  # noqa: E731
    u = np.tanh(A @ x)
    return A.T @ ((1 - u**2) * (c + u)), num_grad(lambda x: ell(np.tanh(A @ x)), x)


def l9_sum_exp():  # check-yourself
    A, x = mats(906, (4, 3), (3,))
    return A.T @ np.exp(A @ x), num_grad(lambda x: np.sum(np.exp(A @ x)), x)


def l9_total_derivative_scalar():
    x = rng(907).uniform(-2, 2, 4)
    F = lambda v: v[0] * v[0] ** 2 + (v[0] ** 2) ** 2  # noqa: E731
    return 3 * x**2 + 4 * x**3, [num_grad(F, np.array([t]))[0] for t in x]


def l9_total_derivative_vector():
    A, x = mats(908, (3, 3), (3,))
    return (A + A.T) @ x, num_grad(lambda x: (A @ x) @ x, x)


def l9_matrix_chain_grad_W_and_X():
    W, X, T = mats(909, (4, 3), (3, 5), (4, 5))
    L = lambda U: np.sum(np.sin(U) * T)  # noqa: E731
    G = np.cos(W @ X) * T
    return np.concatenate([(G @ X.T).ravel(), (W.T @ G).ravel()]), np.concatenate(
        [num_grad(lambda W: L(W @ X), W).ravel(), num_grad(lambda X: L(W @ X), X).ravel()]
    )


# ----------------------------------------------------------------------------------------
# Lesson 10: non-smooth functions
# ----------------------------------------------------------------------------------------


def _argmin_grid(f, lo, hi, n=200001):
    grid = np.linspace(lo, hi, n)
    return grid[np.argmin(f(grid))]


_x10 = np.array([1.0, 2, 2])
_y10 = np.array([2.0, 1, 4])


def _lasso1(lam):
    return lambda w: 0.5 * np.sum((np.outer(w, _x10) - _y10) ** 2, axis=1) + lam * np.abs(w)


_X10 = np.array([[2.0, 1], [0, 1], [1, -1]])
_t10 = np.array([1.0, -1, 1])
_w10 = np.array([0.5, 0])


def _svm(w, lam=0.1):
    w = np.atleast_2d(w)
    margins = _t10 * (w @ _X10.T)
    return np.mean(np.maximum(0, 1 - margins), axis=1) + lam / 2 * np.sum(w * w, axis=1)


_g10 = np.array([0.05, 0]) - np.array([1, -2]) / 3


def _subgrad_path(w, eta, steps):
    out = []
    for _ in range(steps):
        w = w - eta * np.sign(w)
        out.append(w)
    return out


def _prox_path(w, eta, steps):
    out = []
    for _ in range(steps):
        w = soft(w, eta)
        out.append(float(w))
    return out


WORKED_NUMBERS += [
    fact(
        L10,
        r"so $S_1(3) = 2$",
        [soft(3.0, 1), _argmin_grid(lambda w: 0.5 * (w - 3) ** 2 + np.abs(w), -5, 5)],
        "2, 2",
        id="L10 S_1(3)",
    ),
    fact(
        L10,
        r"so $S_1(0.4) = 0$. Check: $0 \in 0 - 0.4 + [-1, 1] = [-1.4, 0.6]$",
        [
            soft(0.4, 1),
            _argmin_grid(lambda w: 0.5 * (w - 0.4) ** 2 + np.abs(w), -5, 5),
            -0.4 - 1,
            -0.4 + 1,
        ],
        "0, 0, -1.4, 0.6",
        id="L10 S_1(0.4)",
    ),
    fact(
        L10,
        r"$S_1(-2.5) = -(2.5 - 1) = -1.5$",
        [soft(-2.5, 1), _argmin_grid(lambda w: 0.5 * (w + 2.5) ** 2 + np.abs(w), -5, 5)],
        "-1.5, -1.5",
        id="L10 S_1(-2.5)",
    ),
    fact(
        L10,
        r"so $x^\top x = 9$ and $x^\top y = 2 + 2 + 8 = 12$",
        [_x10 @ _x10, _x10 @ _y10],
        "9, 12",
        id="L10 x^T x and x^T y",
    ),
    fact(
        L10,
        r"$w^\star = S_{1/3}(4/3) = 1$. Check the condition: $x^\top(xw - y) = 9 - 12 = -3$",
        [_argmin_grid(_lasso1(3), -3, 3), _x10 @ (_x10 * 1 - _y10)],
        "1, -3",
        id="L10 lasso lambda=3",
    ),
    fact(
        L10,
        r"$0 \in -12 + 15\,[-1, 1] = [-27, 3]$",
        [_argmin_grid(_lasso1(15), -3, 3), -12 - 15, -12 + 15],
        "0, -27, 3",
        id="L10 lasso lambda=15",
    ),
    fact(
        L10,
        r"exactly when $\lambda \ge |x^\top y| = 12$",
        [
            abs(_argmin_grid(_lasso1(11.9), -3, 3)) > 0,
            _argmin_grid(_lasso1(12.0), -3, 3) == 0,
        ],
        [1, 1],
        0,
        id="L10 lasso threshold 12",
    ),
    fact(
        L10,
        r"$w^\star = S_{6/9}(4/3) = 4/3 - 2/3 = 2/3$",
        _argmin_grid(_lasso1(6), -3, 3, 300001),
        2 / 3,
        2e-5,
        id="L10 lasso lambda=6",
    ),
    fact(
        L10,
        r"at $\lambda = 9$ the weight is $1/3$",
        _argmin_grid(_lasso1(9), -3, 3, 300001),
        1 / 3,
        2e-5,
        id="L10 lasso lambda=9",
    ),
    fact(
        L10,
        r"its weight here is $12 / (9 + \lambda)$",
        [
            _argmin_grid(
                lambda w: 0.5 * np.sum((np.outer(w, _x10) - _y10) ** 2, axis=1) + 2.5 * w**2,
                -3,
                3,
                300001,
            )
        ],
        [12 / (9 + 5)],
        2e-5,
        id="L10 ridge weight 12/(9+lambda)",
    ),
    fact(
        L10,
        r"$y_1 w^\top x_1 = 1$, $y_2 w^\top x_2 = 0$, $y_3 w^\top x_3 = 0.5$",
        _t10 * (_X10 @ _w10),
        "1, 0, 0.5",
        id="L10 SVM margins",
    ),
    fact(
        L10,
        r"$L = (0 + 1 + 0.5)/3 + 0.05 \cdot 0.25 = 0.5125$",
        _svm(_w10)[0],
        "0.5125",
        id="L10 SVM loss",
    ),
    fact(
        L10,
        r"$g = (0.05, 0) - \tfrac13 (1, -2) = (-17/60,\ 2/3) \approx (-0.283,\ 0.667)$",
        [*_g10, -17 / 60, 2 / 3],
        "-0.283, 0.667, -0.283, 0.667",
        id="L10 SVM subgradient",
    ),
    fact(
        L10,
        r"from $(-0.283, 0.667)$ to $(-0.95, 0.333)$",
        _g10 - np.array([2, 1]) / 3,
        "-0.95, 0.333",
        id="L10 SVM other end",
    ),
    fact(
        L10,
        r"one step from $w = 0$ goes to $0 - \tfrac19 \cdot (-12) = 4/3$ and then to "
        r"$S_{1/3}(4/3) = 1$",
        [
            0 - (_x10 @ (_x10 * 0 - _y10)) / 9,
            soft(0 - (_x10 @ (_x10 * 0 - _y10)) / 9, 3 / 9),
        ],
        [4 / 3, 1],
        1e-12,
        id="L10 one ISTA step",
    ),
    fact(
        L10,
        r"$0.25 \to 0.15 \to 0.05 \to -0.05 \to 0.05 \to \dots$",
        _subgrad_path(0.25, 0.1, 4),
        "0.15, 0.05, -0.05, 0.05",
        id="L10 subgradient bounce",
    ),
    fact(
        L10,
        r"The proximal step $S_{0.1}(0.25) = 0.15$, then $0.05$, then $S_{0.1}(0.05) = 0$",
        _prox_path(0.25, 0.1, 4),
        "0.15, 0.05, 0, 0",
        id="L10 proximal path",
    ),
    fact(
        L10,
        r"but $|2| + 0.5\,(0 - 2) = 1$",
        abs(2) + 0.5 * (0 - 2),
        "1",
        id="L10 0.5 not a subgradient at 2",
    ),
]


def _is_subgradient(f, x, g, lo=-6.0, hi=6.0):
    ys = np.linspace(lo, hi, 2401)
    return bool(np.all(f(ys) >= f(x) + g * (ys - x) - 1e-12))


def _subdifferential_probe(f, x, inside, outside):
    stated = [1.0] * len(inside) + [0.0] * len(outside)
    return stated, [float(_is_subgradient(f, x, g)) for g in (*inside, *outside)]


def l10_abs_subdifferential():
    return _subdifferential_probe(np.abs, 0.0, (-1, -0.3, 0.5, 1), (-1.05, 1.05, 2))


def l10_abs_away_from_zero():
    """Where |x| is differentiable its slope sign(x) is the only subgradient."""
    return _subdifferential_probe(np.abs, 2.0, (1,), (0.5, 0.99, 1.01))


def l10_relu_subdifferential():
    relu = lambda z: np.maximum(0, z)  # noqa: E731
    return _subdifferential_probe(relu, 0.0, (0, 0.4, 1), (-0.05, 1.05))


def l10_hinge_subdifferential():
    hinge = lambda t: np.maximum(0, 1 - t)  # noqa: E731
    return _subdifferential_probe(hinge, 1.0, (-1, -0.5, 0), (-1.05, 0.05))


def l10_l1_norm_subgradient():
    """g_i = sign(x_i) where x_i != 0 and g_i in [-1, 1] where x_i = 0; a g_i outside fails."""
    x = np.array([1.5, 0.0, -0.7, 0.0, 2.0])
    good = np.array([1.0, 0.3, -1.0, -0.9, 1.0])
    bad = np.array([1.0, 1.2, -1.0, 0.0, 1.0])
    ys = rng(1000).uniform(-3, 3, (4000, 5))
    ys[:, 1] = np.abs(ys[:, 1])  # probe the direction in which the bad entry overshoots

    def ok(g):
        return bool(np.all(np.abs(ys).sum(1) >= np.abs(x).sum() + (ys - x) @ g - 1e-12))

    return [1.0, 0.0], [float(ok(good)), float(ok(bad))]


def l10_soft_threshold_is_the_argmin():
    r = rng(1001)
    zs, lams = r.uniform(-3, 3, 6), r.uniform(0.1, 2, 6)
    brute = [
        _argmin_grid(lambda w, z=z, lam=lam: 0.5 * (w - z) ** 2 + lam * np.abs(w), -4, 4, 400001)
        for z, lam in zip(zs, lams, strict=True)
    ]
    return soft(zs, lams), brute, 1e-4


def _ista(X, y, lam, steps=3000):
    eta = 1 / np.linalg.eigvalsh(X.T @ X).max()
    w, losses = np.zeros(X.shape[1]), []
    for _ in range(steps):
        w = soft(w - eta * X.T @ (X @ w - y), eta * lam)
        losses.append(0.5 * np.sum((X @ w - y) ** 2) + lam * np.abs(w).sum())
    return w, np.array(losses)


def _lasso_case():
    r = rng(1002)
    X = r.standard_normal((7, 5))
    y = X @ np.array([2.0, 0, -1.5, 0, 0]) + 0.3 * r.standard_normal(7)
    return X, y, 2.0


def l10_lasso_optimality_conditions():
    """At the lasso solution, c_j = lambda sign(w_j) for w_j != 0 and |c_j| <= lambda otherwise."""
    X, y, lam = _lasso_case()
    w, _ = _ista(X, y, lam)
    c = X.T @ (y - X @ w)
    nonzero = np.abs(w) > 1e-9
    assert nonzero.any() and (~nonzero).any(), "the case should have zero and non-zero weights"
    stated = np.where(nonzero, lam * np.sign(w), 0.0)
    measured = np.where(nonzero, c, np.maximum(np.abs(c) - lam, 0.0))
    return stated, measured


def l10_ista_never_raises_the_loss():
    X, y, lam = _lasso_case()
    _, losses = _ista(X, y, lam, 200)
    return [np.max(np.diff(losses)) <= 1e-12], [True]


def l10_ridge_never_exactly_zero():
    """A ridge penalty only shrinks: its solution (X^T X + lambda I)^-1 X^T y has no zero entry."""
    X, y, _ = _lasso_case()
    w = np.linalg.solve(X.T @ X + 2.0 * np.eye(5), X.T @ y)
    return [np.min(np.abs(w)) > 1e-6], [True]


def l10_svm_subgradient_set():
    """g - (theta/3) x1 y1 is a subgradient for theta in [0, 1], and not for theta outside."""
    vs = rng(1003).uniform(-3, 3, (5000, 2))
    base = _svm(_w10)[0]

    def ok(theta):
        g = _g10 - theta / 3 * np.array([2.0, 1])
        return bool(np.all(_svm(vs) >= base + (vs - _w10) @ g - 1e-12))

    return [1.0, 1.0, 1.0, 0.0, 0.0], [float(ok(t)) for t in (0, 0.5, 1, -0.2, 1.2)]


# ----------------------------------------------------------------------------------------
# Lesson 12: forward and reverse mode
# ----------------------------------------------------------------------------------------


def _f12(x):
    return np.sin(x[0] * x[1]) + x[0] ** 2


def _forward12(x, xdot):
    v1, v2 = x
    d1, d2 = xdot
    v3, d3 = v1 * v2, d1 * v2 + v1 * d2
    v4, d4 = np.sin(v3), np.cos(v3) * d3
    v5, d5 = v1**2, 2 * v1 * d1
    return v4 + v5, d4 + d5, v4, d4


def _reverse12(x):
    v1, v2 = x
    v3 = v1 * v2
    b6 = 1.0
    b5 = b6
    b4 = b6
    b3 = np.cos(v3) * b4
    b2 = b3 * v1
    b1 = b3 * v2 + b5 * 2 * v1
    return np.array([b1, b2])


_x12 = np.array([1.0, 2.0])
_X12 = np.array([[1.0, 2], [0, 1]])
_W12 = np.array([[1.0, 0], [2, 1]])
_Yb12 = np.array([[1.0, -1], [2, 0]])


def _check_backward(f, A, A_bar, U, h=1e-6):
    """The lesson's check_backward, in NumPy."""
    worst = 0.0
    for index in np.ndindex(A.shape):
        E = np.zeros_like(A)
        E[index] = h
        numeric = (np.sum(U * f(A + E)) - np.sum(U * f(A - E))) / (2 * h)
        worst = max(worst, abs(numeric - A_bar[index]))
    return worst


WORKED_NUMBERS += [
    fact(
        L12,
        r"| $v_4 = \sin v_3$ | $0.909297$ | $\dot v_4 = \cos(v_3)\, \dot v_3 = -0.416147 \cdot 2 "
        r"= -0.832294$ |",
        [_forward12(_x12, (1, 0))[2], np.cos(2.0), _forward12(_x12, (1, 0))[3]],
        "0.909297, -0.416147, -0.832294",
        id="L12 forward row v4",
    ),
    fact(
        L12,
        r"| $v_6 = v_4 + v_5$ | $1.909297$ | $\dot v_6 = \dot v_4 + \dot v_5 = 1.167706$ |",
        _forward12(_x12, (1, 0))[:2],
        "1.909297, 1.167706",
        id="L12 forward row v6",
    ),
    fact(
        L12,
        r"with the seed $(0, 1)$, which gives $\dot v_6 = -0.416147$",
        _forward12(_x12, (0, 1))[1],
        "-0.416147",
        id="L12 second forward pass",
    ),
    fact(
        L12,
        r"the seed $(1, 1)$ gives $1.167706 - 0.416147 = 0.751559$",
        _forward12(_x12, (1, 1))[1],
        "0.751559",
        id="L12 seed (1,1)",
    ),
    fact(
        L12,
        r"$\bar v_1 = \bar v_3\, v_2 + \bar v_5 \cdot 2 v_1 = -0.832294 + 2 = 1.167706$",
        [np.cos(2.0) * 2, _reverse12(_x12)[0]],
        "-0.832294, 1.167706",
        id="L12 reverse adjoint v1",
    ),
    fact(
        L12,
        r"$\nabla f(1, 2) = (1.167706, -0.416147)$",
        [*_reverse12(_x12), 2 * np.cos(2.0) + 2, np.cos(2.0)],
        "1.167706, -0.416147, 1.167706, -0.416147",
        id="L12 gradient by reverse mode and by hand",
    ),
    fact(
        L12,
        r"central differences with $h = 10^{-6}$ agree to nine digits",
        np.abs(num_grad(_f12, _x12, 1e-6) - [2 * np.cos(2.0) + 2, np.cos(2.0)]).max(),
        0.0,
        5e-9,
        id="L12 central differences agree (about)",
    ),
    fact(
        L12,
        r"about $2 \times 10^9$ multiply-adds), while",
        [2 * 1000**3, 3 * 1000**2],
        [2e9, 3e6],
        0.5,
        id="L12 matrix-chain costs",
    ),
    fact(
        L12,
        r"Forward: $Y = XW = \begin{bmatrix} 5 & 2 \\ 2 & 1 \end{bmatrix}$",
        (_X12 @ _W12).ravel(),
        "5, 2, 2, 1",
        id="L12 Y = XW",
    ),
    fact(
        L12,
        r"= \begin{bmatrix} 1 & 1 \\ 2 & 4 \end{bmatrix}$.",
        num_grad(lambda X: np.sum(_Yb12 * (X @ _W12)), _X12).ravel(),
        "1, 1, 2, 4",
        id="L12 X_bar = Y_bar W^T",
    ),
    fact(
        L12,
        r"= \begin{bmatrix} 1 & -1 \\ 4 & -2 \end{bmatrix}$.",
        num_grad(lambda W: np.sum(_Yb12 * (_X12 @ W)), _W12).ravel(),
        "1, -1, 4, -2",
        id="L12 W_bar = X^T Y_bar",
    ),
    fact(
        L12,
        r"$L$ grows by $h(2 \cdot 2 + 1 \cdot 0) = 4h$",
        num_grad(lambda X: np.sum(_Yb12 * (X @ _W12)), _X12)[1, 1],
        "4",
        id="L12 entry (2,2) of X_bar",
    ),
    fact(
        L12,
        r"Swapping the factors, $W^\top \bar Y$ or $\bar Y X^\top$, fails the check",
        [
            _check_backward(lambda X: X @ _W12, _X12, _W12.T @ _Yb12, _Yb12) > 0.1,
            _check_backward(lambda W: _X12 @ W, _W12, _Yb12 @ _X12.T, _Yb12) > 0.1,
            _check_backward(lambda X: X @ _W12, _X12, _Yb12 @ _W12.T, _Yb12) < 1e-9,
        ],
        [1, 1, 1],
        0,
        id="L12 swapped factors fail check_backward",
    ),
    fact(
        L12,
        r"$\sigma(x) \approx (0.2689, 0.5, 0.8808)$ both ways",
        [
            *sigmoid(np.array([-1.0, 0, 2])),
            *num_grad(lambda x: np.sum(np.log1p(np.exp(x))), np.array([-1.0, 0, 2])),
        ],
        "0.2689, 0.5, 0.8808, 0.2689, 0.5, 0.8808",
        id="L12 softplus backward",
    ),
]


def _chain12():
    A1, A2, A3 = mats(1200, (4, 3), (5, 4), (2, 5))
    f1 = lambda x: np.tanh(A1 @ x)  # noqa: E731
    f2 = lambda u: np.sin(A2 @ u)  # noqa: E731
    f3 = lambda u: A3 @ u + u[:2] ** 2  # noqa: E731
    x = rng(1201).standard_normal(3)
    return (f1, f2, f3), x


def l12_jvp_is_directional_derivative():
    (f1, f2, f3), x = _chain12()
    v = rng(1202).standard_normal(3)
    u1, u2 = f1(x), f2(f1(x))
    jvp = num_jac(f3, u2) @ (num_jac(f2, u1) @ (num_jac(f1, x) @ v))  # J3 (J2 (J1 v))
    f = lambda x: f3(f2(f1(x)))  # noqa: E731
    t = 1e-6
    return jvp, (f(x + t * v) - f(x - t * v)) / (2 * t)


def l12_vjp_is_gradient_of_u_dot_f():
    (f1, f2, f3), x = _chain12()
    u = rng(1203).standard_normal(2)
    u1, u2 = f1(x), f2(f1(x))
    vjp = num_jac(f1, x).T @ (num_jac(f2, u1).T @ (num_jac(f3, u2).T @ u))
    return vjp, num_grad(lambda x: u @ f3(f2(f1(x))), x)


def l12_jvp_vjp_duality():
    (f1, f2, f3), x = _chain12()
    u, v = rng(1204).standard_normal(2), rng(1205).standard_normal(3)
    J = num_jac(lambda x: f3(f2(f1(x))), x)
    return [u @ (J @ v)], [(J.T @ u) @ v]


def l12_passes_for_full_jacobian():
    """n forward passes (one column each) or m reverse passes (one row each) give J."""
    (f1, f2, f3), x = _chain12()
    f = lambda x: f3(f2(f1(x)))  # noqa: E731
    t = 1e-6
    cols = [(f(x + t * e) - f(x - t * e)) / (2 * t) for e in np.eye(3)]
    rows = [num_grad(lambda x, e=e: e @ f(x), x) for e in np.eye(2)]
    return np.stack(cols, axis=1), np.stack(rows)


def l12_softplus_backward():
    x, ybar = mats(1206, (6,), (6,))
    worst = _check_backward(lambda x: np.log1p(np.exp(x)), x, ybar * sigmoid(x), ybar)
    return [worst], [0.0]


def l12_matmul_backward():
    X, W, Ybar = mats(1207, (5, 3), (3, 4), (5, 4))
    worst = max(
        _check_backward(lambda X: X @ W, X, Ybar @ W.T, Ybar),
        _check_backward(lambda W: X @ W, W, X.T @ Ybar, Ybar),
    )
    return [worst], [0.0]


def l12_stable_softplus():
    x = np.array([-30.0, -1, 0, 2, 30])
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), np.log1p(np.exp(x))


# ----------------------------------------------------------------------------------------
# Lesson 15: optimisation
# ----------------------------------------------------------------------------------------


def _gd(A, x, alpha, steps, b=None):
    b = np.zeros(len(x)) if b is None else b
    for _ in range(steps):
        x = x - alpha * (A @ x - b)
    return x


_D15 = np.diag([2.0, 4])
_s15 = np.array([2.5, 1.5])
_A15 = np.array([[2.0, 1], [1, 3]])
_b15 = np.array([1.0, 2])


def _f15(x):
    x = np.asarray(x, float)
    return 0.5 * x @ _A15 @ x - _b15 @ x


def _newton15(steps):
    x, out = 0.0, []
    for _ in range(steps):
        x = x - (np.exp(x) - 2) / np.exp(x)
        out.append(x)
    return out


def _cg(H, r, iters):
    h, res, p = np.zeros(len(r)), r.astype(float), r.astype(float)
    log = []
    for _ in range(iters):
        Hp = H @ p
        a = res @ res / (p @ Hp)
        h = h + a * p
        new = res - a * Hp
        beta = new @ new / (res @ res)
        log.append(dict(Hp=Hp, pHp=p @ Hp, alpha=a, h=h, r=new, beta=beta, p=new + beta * p))
        res, p = new, new + beta * p
    return log


_cg15 = _cg(_A15, -np.array([2.0, 2]), 2)
_rho100 = 99 / 101
_pB, _yB = 0.9, 0.5

WORKED_NUMBERS += [
    fact(
        L15,
        r"For $\kappa = 100$, $\rho = 99/101 \approx 0.980$",
        (100 - 1) / (100 + 1),
        "0.980",
        id="L15 rho for kappa 100",
    ),
    fact(
        L15,
        "each tenfold reduction of the error takes about 115 steps, and a millionfold one about 690",
        [np.log(10) / -np.log(_rho100), 6 * np.log(10) / -np.log(_rho100)],
        [115, 690],
        [0.5, 1.0],
        id="L15 steps for kappa 100 (about)",
    ),
    fact(
        L15,
        r"after one step $(2, 0.9)$, after 20 steps about $(0.029, 0.00005)$",
        [*_gd(_D15, _s15, 0.1, 1), *_gd(_D15, _s15, 0.1, 20)],
        "2, 0.9, 0.029, 0.00005",
        id="L15 GD alpha=0.1",
    ),
    fact(
        L15,
        r"After five steps, about $(0.0103, -0.0062)$",
        _gd(_D15, _s15, 1 / 3, 5),
        "0.0103, -0.0062",
        id="L15 GD best step, five steps",
    ),
    fact(
        L15,
        r"after 20 steps $y \approx 1.5 \times 1.4^{20} \approx 1255$",
        _gd(_D15, _s15, 0.6, 20)[1],
        "1255",
        id="L15 GD alpha=0.6 diverges",
    ),
    fact(
        L15,
        r"the factors are $1 - 0.2 = 0.8$ along $x$ and $1 - 2 = -1$ along $y$: $y$ flips between "
        r"$1.5$ and $-1.5$ forever",
        [_gd(np.diag([2.0, 20]), _s15, 0.1, k)[1] for k in (1, 2, 51)],
        "-1.5, 1.5, -1.5",
        id="L15 x^2+10y^2 at alpha=0.1",
    ),
    fact(
        L15,
        r"The best fixed step is $2/(2 + 20) = 1/11$, with factor "
        r"$\rho = (10 - 1)/(10 + 1) = 9/11 \approx 0.82$",
        [
            np.linalg.norm(np.eye(2) - np.diag([2.0, 20]) / 11, 2),
            min(np.linspace(0.05, 0.1, 5001), key=lambda a: max(abs(1 - 2 * a), abs(1 - 20 * a))),
        ],
        [0.82, 1 / 11],
        [0.005, 1e-5],
        id="L15 best step 1/11 and rho 9/11",
    ),
    fact(
        L15,
        r"(they are about $1.38$ and $3.62$)",
        np.linalg.eigvalsh(_A15),
        "1.38, 3.62",
        id="L15 eigenvalues of A",
    ),
    fact(
        L15,
        r"$\nabla f(x_0) = (3, 4) - (1, 2) = (2, 2)$; $f(x_0) = \tfrac12 \cdot 7 - 3 = 0.5$",
        [*(_A15 @ [1, 1]), *num_grad(_f15, np.ones(2)), _f15([1, 1])],
        "3, 4, 2, 2, 0.5",
        id="L15 gradient and value at x0",
    ),
    fact(
        L15,
        r"$h = -\tfrac15 (6 - 2,\ -2 + 4) = (-0.8, -0.4)$",
        -np.linalg.solve(num_hess(_f15, np.ones(2)), num_grad(_f15, np.ones(2))),
        "-0.8, -0.4",
        id="L15 Newton step",
    ),
    fact(
        L15,
        r"$x_1 = x_0 + h = (0.2, 0.6)$",
        [*(np.ones(2) - np.linalg.solve(_A15, _A15 @ np.ones(2) - _b15)), _f15([0.2, 0.6])],
        "0.2, 0.6, -0.7",
        id="L15 Newton lands on the minimum",
    ),
    fact(
        L15,
        r"goes to $(0.8, 0.8)$, where $f = -0.16$",
        [*_gd(_A15, np.ones(2), 0.1, 1, _b15), _f15(_gd(_A15, np.ones(2), 0.1, 1, _b15))],
        "0.8, 0.8, -0.16",
        id="L15 one GD step",
    ),
    fact(
        L15,
        r"gives $1$, then $0.7358$, then $0.69404$, then $0.6931476$",
        _newton15(4),
        "1, 0.7358, 0.69404, 0.6931476",
        id="L15 Newton on e^x - 2x",
    ),
    fact(
        L15,
        r"with errors of about $0.3$, $0.04$, $0.0009$ and $4 \times 10^{-7}$; the next error is "
        r"$8 \times 10^{-14}$",
        np.abs(np.array(_newton15(5)) - np.log(2)) / [0.3, 0.04, 0.0009, 4e-7, 8e-14],
        [1] * 5,
        0.1,
        id="L15 Newton errors (about)",
    ),
    fact(
        L15,
        r"For $n = 10^4$ that is $10^8$ numbers (0.8 GB) and some $3 \times 10^{11}$ operations",
        [(1e4) ** 2, 8 * (1e4) ** 2 / 1e9, (1e4) ** 3 / 3 / 1e11],
        "1e8, 0.8, 3",
        id="L15 Newton cost for n = 1e4 (about)",
    ),
    fact(
        L15,
        r"gives $h = (-1, -1)$: the step lands on $(0, 0)$",
        np.array([1.0, 1]) - np.linalg.solve(np.diag([2.0, -2]), [2.0, -2]),
        "0, 0",
        id="L15 Newton on the saddle",
    ),
    fact(
        L15,
        r"$\partial L / \partial p = (p - \bar y) / \big(p(1 - p)\big) = 0.4 / 0.09 \approx 4.44$, "
        r"and $F(p) = 1/\big(p(1 - p)\big) \approx 11.1$",
        [
            num_grad(lambda p: -_yB * np.log(p[0]) - (1 - _yB) * np.log(1 - p[0]), np.array([_pB]))[
                0
            ],
            _pB * (1 / _pB) ** 2 + (1 - _pB) * (1 / (1 - _pB)) ** 2,  # E[score^2]
        ],
        "4.44, 11.1",
        id="L15 Bernoulli in p",
    ),
    fact(
        L15,
        r"$\partial L / \partial \theta = p - \bar y = 0.4$, and $F(\theta) = p(1 - p) = 0.09$",
        [
            num_grad(
                lambda t: -_yB * np.log(sigmoid(t[0])) - (1 - _yB) * np.log(1 - sigmoid(t[0])),
                np.array([np.log(_pB / (1 - _pB))]),
            )[0],
            _pB * (1 - _pB) ** 2 + (1 - _pB) * _pB**2,  # E[(y - p)^2]
        ],
        "0.4, 0.09",
        id="L15 Bernoulli in the logit",
    ),
    fact(
        L15,
        r"change $p$ by $-0.444$ in the first parametrisation and by $p(1 - p) \times (-0.04) = "
        r"-0.0036$ in the second",
        [
            -0.1 * 0.4 / 0.09,
            0.9 * 0.1 * (-0.1 * 0.4),  # dp/dtheta = p(1 - p), to first order
            (0.4 / 0.09) / (0.09 * 0.04) > 100,
        ],
        "-0.444, -0.0036, 1",
        id="L15 plain gradient steps",
    ),
    fact(
        L15,
        r"In $p$: $-0.1 \times 0.09 \times 4.44 = -0.04$",
        [-0.1 * 0.09 * (0.4 / 0.09), -0.1 * 0.4 / 0.09, 0.09 * (-0.1 * 0.4 / 0.09)],
        "-0.04, -0.444, -0.04",
        id="L15 natural gradient steps",
    ),
    fact(
        L15,
        r"With $\alpha = 1$ the natural step in $p$ is $p - \bar y$, landing exactly on the "
        r"maximum-likelihood estimate $0.5$",
        _pB - 1 * _pB * (1 - _pB) * (_pB - _yB) / (_pB * (1 - _pB)),
        0.5,
        1e-12,
        id="L15 natural step with alpha=1",
    ),
    fact(
        L15,
        r"$Ap_0 = (-6, -8)$, $\alpha_0 = 8 / 28 = 2/7$. So $h_1 = (-4/7, -4/7)$ and "
        r"$r_1 = (-2, -2) - \tfrac27(-6, -8) = (-2/7, 2/7)$",
        [*_cg15[0]["Hp"], _cg15[0]["alpha"], *_cg15[0]["h"], *_cg15[0]["r"]],
        [-6, -8, 2 / 7, -4 / 7, -4 / 7, -2 / 7, 2 / 7],
        1e-12,
        id="L15 CG iteration 1",
    ),
    fact(
        L15,
        r"$\beta_0 = (8/49)/8 = 1/49$ and $p_1 = (-2/7, 2/7) + \tfrac{1}{49}(-2, -2) = "
        r"(-16/49, 12/49)$",
        [_cg15[0]["beta"], *_cg15[0]["p"]],
        [1 / 49, -16 / 49, 12 / 49],
        1e-12,
        id="L15 CG beta0 and p1",
    ),
    fact(
        L15,
        r"$Ap_1 = (-20/49, 20/49)$, $p_1^\top A p_1 = 560/2401$, "
        r"$\alpha_1 = (8/49)/(560/2401) = 0.7$",
        [*_cg15[1]["Hp"], _cg15[1]["pHp"], _cg15[1]["alpha"]],
        [-20 / 49, 20 / 49, 560 / 2401, 0.7],
        1e-12,
        id="L15 CG iteration 2",
    ),
    fact(
        L15,
        r"$h_2 = (-4/7, -4/7) + 0.7\,(-16/49, 12/49) = (-0.8, -0.4)$",
        [*_cg15[1]["h"], *_cg15[1]["r"]],
        [-0.8, -0.4, 0, 0],
        1e-12,
        id="L15 CG finds the Newton step, r2 = 0",
    ),
]


def _spd_with_eigs(eigs, seed):
    Q, _ = np.linalg.qr(rng(seed).standard_normal((len(eigs), len(eigs))))
    return Q @ np.diag(eigs) @ Q.T


def l15_gd_error_recursion():
    A = spd(4, 1500)
    b, x = mats(1501, (4,), (4,))
    xs = np.linalg.solve(A, b)
    alpha = 0.05
    return (np.eye(4) - alpha * A) @ (x - xs), _gd(A, x, alpha, 1, b) - xs


def l15_gd_step_size_limit():
    """Converges just below 2/lambda_max, diverges just above it."""
    A = spd(4, 1502)
    lmax = np.linalg.eigvalsh(A).max()
    x0 = rng(1503).standard_normal(4)
    below = np.linalg.norm(_gd(A, x0, 0.98 * 2 / lmax, 3000))
    above = np.linalg.norm(_gd(A, x0, 1.02 * 2 / lmax, 3000))
    return [below < 1e-6, above > 1e6], [True, True]


def l15_gd_best_rate():
    """alpha* = 2/(lmin + lmax) gives ||I - alpha* A|| = (kappa - 1)/(kappa + 1), and no step
    gives a smaller worst-case factor."""
    A = _spd_with_eigs([0.5, 1.3, 2.2, 6.0], 1504)
    ev = np.linalg.eigvalsh(A)
    kappa = ev.max() / ev.min()
    a_star = 2 / (ev.min() + ev.max())
    alphas = np.linspace(0.01, 2 / ev.max(), 4001)
    best = alphas[np.argmin([np.linalg.norm(np.eye(4) - a * A, 2) for a in alphas])]
    return (
        [(kappa - 1) / (kappa + 1), a_star],
        [
            np.linalg.norm(np.eye(4) - a_star * A, 2),
            best,
        ],
        1e-3,
    )


def l15_newton_one_step_on_quadratic():
    A = spd(4, 1505)
    b, x0 = mats(1506, (4,), (4,))
    f = lambda x: 0.5 * x @ A @ x - b @ x  # noqa: E731
    x1 = x0 - np.linalg.solve(num_hess(f, x0), num_grad(f, x0))
    return np.linalg.solve(A, b), x1, 1e-4


def l15_newton_quadratic_convergence():
    """e_{k+1} / e_k^2 -> 1/2 for e^x - 2x (f'''/(2f'') = 1/2 at the minimum)."""
    e = np.abs(np.array(_newton15(4)) - np.log(2))
    return [0.5], [e[3] / e[2] ** 2], 0.01


def _categorical(z):
    return softmax(z)


def l15_fisher_two_forms():
    """For a categorical model with logits z: E[score score^T] = E[-Hessian of log p]."""
    z = rng(1507).standard_normal(4)
    p = _categorical(z)
    scores = [num_grad(lambda z, y=y: np.log(_categorical(z)[y]), z) for y in range(4)]
    outer = sum(p[y] * np.outer(s, s) for y, s in enumerate(scores))
    hess = sum(p[y] * -num_hess(lambda z, y=y: np.log(_categorical(z)[y]), z) for y in range(4))
    return outer, hess, 1e-4


def l15_kl_is_half_fisher_quadratic():
    z, d = mats(1508, (4,), (4,))
    p = _categorical(z)
    F = np.diag(p) - np.outer(p, p)
    t = 1e-3
    q = _categorical(z + t * d)
    kl = np.sum(p * np.log(p / q))
    return [0.5 * t**2 * d @ F @ d], [kl], 1e-2


def l15_natural_gradient_invariance():
    """theta = M phi + c: the natural step in phi, mapped by J = M, is the natural step in theta,
    and F_phi = J^T F_theta J."""
    M, c, phi = mats(1509, (4, 4), (4,), (4,))
    M += 2 * np.eye(4)
    target = softmax(rng(1510).standard_normal(4))
    L = lambda z: -target @ np.log(softmax(z))  # noqa: E731
    theta = M @ phi + c
    p = softmax(theta)
    F_theta = np.diag(p) + 1e-3 * np.eye(4) - np.outer(p, p)  # damped: softmax logits are flat
    F_phi = M.T @ F_theta @ M
    step_theta = np.linalg.solve(F_theta, num_grad(L, theta))
    step_phi = np.linalg.solve(F_phi, num_grad(lambda f: L(M @ f + c), phi))
    return M @ step_phi, step_theta, 1e-4


def l15_cg_finishes_in_distinct_eigenvalues():
    """Six unknowns, three distinct eigenvalues: three CG iterations solve exactly."""
    H = _spd_with_eigs([1.0, 1, 4, 4, 9, 9], 1511)
    r = rng(1512).standard_normal(6)
    return np.linalg.solve(H, r), _cg(H, r, 3)[-1]["h"], 1e-8


def l15_cg_finishes_in_n():
    H = spd(5, 1513)
    r = rng(1514).standard_normal(5)
    return np.linalg.solve(H, r), _cg(H, r, 5)[-1]["h"], 1e-8


def l15_cg_error_bound():
    """The A-norm error after k iterations is at most 2 ((sqrt k - 1)/(sqrt k + 1))^k times the
    first one (kappa = 400 here, so sqrt(kappa) = 20 sets the rate)."""
    H = _spd_with_eigs(np.geomspace(0.05, 20, 30), 1515)
    r = rng(1516).standard_normal(30)
    exact = np.linalg.solve(H, r)
    log = _cg(H, r, 12)
    rho = (20 - 1) / (20 + 1)
    e0 = np.sqrt(exact @ H @ exact)
    ratios = [np.sqrt((exact - s["h"]) @ H @ (exact - s["h"])) / e0 for s in log]
    return [all(q <= 2 * rho ** (k + 1) for k, q in enumerate(ratios))], [True]


# ----------------------------------------------------------------------------------------
# Lesson 16: curvature in machine learning
# ----------------------------------------------------------------------------------------


def _E16(t):
    return -7 * np.log(t) - 3 * np.log(1 - t)


_grid16 = np.linspace(1e-6, 1 - 1e-6, 400_001)
_H16 = num_hess(lambda t: _E16(t[0]), np.array([0.7]))[0, 0]
_Hm = np.array([[4.0, 2], [2, 3]])
_w16 = np.array([2.0, 1])
_Hi = np.linalg.inv(_Hm)


_GRID_OBS = np.linspace(-3, 3, 600001)


def _obs_brute(H, w, q, grid=_GRID_OBS):
    """Cost and move of the other weight, by scanning it with delta w_q = -w_q fixed (2 weights)."""
    other = 1 - q
    d = np.zeros((len(grid), 2))
    d[:, q] = -w[q]
    d[:, other] = grid
    cost = 0.5 * np.einsum("ki,ij,kj->k", d, H, d)
    k = np.argmin(cost)
    return cost[k], grid[k]


_data16 = np.array([1.0, 2, 3, 6])


def _fit16(eps, z=6.0):
    """argmin of (1/4) sum 1/2 (theta - z_i)^2 + eps 1/2 (theta - z)^2, by brute force."""
    grid = np.linspace(0, 6, 600001)
    R = np.mean(0.5 * (grid[:, None] - _data16) ** 2, axis=1) + eps * 0.5 * (grid - z) ** 2
    return grid[np.argmin(R)]


def _fit16_exact(eps):
    # stationary point of the same objective, solved for theta
    return (np.mean(_data16) + eps * 6) / (1 + eps)


WORKED_NUMBERS += [
    fact(
        L16,
        r"so $\hat\theta = 0.7$",
        _grid16[np.argmin(_E16(_grid16))],
        "0.7",
        id="L16 mode of the coin posterior",
    ),
    fact(
        L16,
        r"$H = \dfrac{7}{0.49} + \dfrac{3}{0.09} = 14.286 + 33.333 = 47.619$ (exactly $1000/21$)",
        [7 / 0.49, 3 / 0.09, _H16, 1000 / 21],
        "14.286, 33.333, 47.619, 47.619",
        id="L16 curvature at the mode",
    ),
    fact(
        L16,
        r"The variance is $1/H = 0.021$ and the standard deviation $\sqrt{0.021} = 0.145$",
        [1 / _H16, np.sqrt(1 / _H16)],
        "0.021, 0.145",
        id="L16 Laplace variance and sd",
    ),
    fact(
        L16,
        r"has mean $8/12 = 0.667$ and standard deviation $\sqrt{32/(144 \cdot 13)} = 0.131$",
        [
            np.trapezoid(_grid16 * _grid16**7 * (1 - _grid16) ** 3, _grid16) * 1320,
            np.sqrt(
                np.trapezoid(_grid16**2 * _grid16**7 * (1 - _grid16) ** 3, _grid16) * 1320
                - (8 / 12) ** 2
            ),
        ],
        "0.667, 0.131",
        id="L16 exact Beta(8,4) mean and sd",
    ),
    fact(
        L16,
        r"$\int_0^1 \theta^7(1-\theta)^3\,\mathrm{d}\theta = 1/1320 = 7.58 \times 10^{-4}$",
        [
            np.trapezoid(_grid16**7 * (1 - _grid16) ** 3, _grid16) * 1e4,
            factorial(7) * factorial(3) / factorial(11) * 1320,
        ],
        "7.58, 1",
        id="L16 exact evidence",
    ),
    fact(
        L16,
        r"$0.7^7 \cdot 0.3^3 \cdot \sqrt{2\pi \cdot 0.021} = 8.08 \times 10^{-4}$, about 7 % too high",
        [
            np.exp(-_E16(0.7)) * np.sqrt(2 * np.pi / _H16) * 1e4,
            100 * (np.exp(-_E16(0.7)) * np.sqrt(2 * np.pi / _H16) * 1320 - 1),
        ],
        [8.08, 7],
        [0.005, 0.5],
        id="L16 Laplace evidence",
    ),
    fact(
        L16,
        r"the minimiser is the mean $\hat\theta = 3$, and $H = R''(\hat\theta) = 1$",
        [
            _fit16(0.0),
            num_hess(lambda t: np.mean(0.5 * (t[0] - _data16) ** 2), np.array([3.0]))[0, 0],
        ],
        "3, 1",
        id="L16 mean model fit and Hessian",
    ),
    fact(
        L16,
        r"$\mathcal{I}(6) = -H^{-1}\nabla\ell(6, \hat\theta) = -(1)(-3) = 3$",
        [(_fit16(1e-3) - _fit16(-1e-3)) / 2e-3, 3.0 - 6.0],
        "3, -3",
        id="L16 influence of z=6 (refitting)",
    ),
    fact(
        L16,
        r"$\Delta\theta \approx -\tfrac14 \cdot 3 = -0.75$, predicting a new fit of $2.25$. "
        r"Refitting gives the mean of $1, 2, 3$, which is $2$",
        [-0.25 * 3, 3 - 0.75, np.mean(_data16[:3]), _fit16(-1 / 4)],
        "-0.75, 2.25, 2, 2",
        id="L16 removing z=6",
    ),
    fact(
        L16,
        r"so the test loss changes at the rate $-0.5 \cdot 1 \cdot (-3) = 1.5$",
        (0.5 * (_fit16_exact(1e-6) - 2.5) ** 2 - 0.5 * (_fit16_exact(-1e-6) - 2.5) ** 2) / 2e-6,
        "1.5",
        id="L16 test-loss influence",
    ),
    fact(
        L16,
        r"gives $\mathrm{d}\hat\theta_\varepsilon/\mathrm{d}\varepsilon = 3.000$ and a test-loss rate "
        r"of $1.500$",
        [
            (_fit16_exact(1e-6) - _fit16_exact(-1e-6)) / 2e-6,
            (0.5 * (_fit16_exact(1e-6) - 2.5) ** 2 - 0.5 * (_fit16_exact(-1e-6) - 2.5) ** 2) / 2e-6,
            _fit16_exact(0.37) - _fit16(0.37),
        ],
        "3.000, 1.500, 0",
        id="L16 central differences of the upweighted fit",
    ),
    fact(
        L16,
        r"$\det H = 8$ and $H^{-1} = \frac18 \begin{bmatrix} 3 & -2 \\ -2 & 4 \end{bmatrix}$",
        [np.linalg.det(_Hm), *(8 * _Hi).ravel()],
        "8, 3, -2, -2, 4",
        id="L16 inverse Hessian",
    ),
    fact(
        L16,
        r"$s_1 = \tfrac12 \cdot 4 \cdot 2^2 = 8$ and $s_2 = \tfrac12 \cdot 3 \cdot 1^2 = 1.5$",
        [
            0.5 * (_w16 * [1, 0]) @ _Hm @ (_w16 * [1, 0]),
            0.5 * (_w16 * [0, 1]) @ _Hm @ (_w16 * [0, 1]),
        ],
        "8, 1.5",
        id="L16 OBD saliencies",
    ),
    fact(
        L16,
        r"$L_1 = \dfrac{4}{2 \cdot 3/8} = 16/3 \approx 5.33$ and $L_2 = \dfrac{1}{2 \cdot 1/2} = 1$",
        [_obs_brute(_Hm, _w16, 0)[0], _obs_brute(_Hm, _w16, 1)[0]],
        "5.33, 1",
        id="L16 OBS cost",
    ),
    fact(
        L16,
        r"$H^{-1}e_2 = \frac18(-2, 4) = (-0.25, 0.5)$, and $\delta w = -\dfrac{1}{1/2}(-0.25, 0.5) "
        r"= (0.5, -1)$. The new weights are $(2.5, 0)$",
        [*_Hi[:, 1], _obs_brute(_Hm, _w16, 1)[1], -1, *(_w16 + [_obs_brute(_Hm, _w16, 1)[1], -1])],
        "-0.25, 0.5, 0.5, -1, 2.5, 0",
        id="L16 OBS update",
    ),
    fact(
        L16,
        r"the cheapest $\delta w_1$ is $-(H_{12}/H_{11})\,\delta w_2 = 0.5$",
        -(_Hm[0, 1] / _Hm[0, 0]) * -1,
        "0.5",
        id="L16 cheapest delta w1",
    ),
    fact(
        L16,
        r"$H\delta w = (4 \cdot 0.5 - 2,\ 2 \cdot 0.5 - 3) = (0, -2)$",
        [*(_Hm @ [0.5, -1]), 0.5 * np.array([0.5, -1]) @ _Hm @ [0.5, -1]],
        "0, -2, 1",
        id="L16 H delta w and its cost",
    ),
    fact(
        L16,
        r"finds the smallest cost $1.000$ at $\delta w_1 = 0.500$",
        _obs_brute(_Hm, _w16, 1),
        "1.000, 0.500",
        id="L16 grid scan",
    ),
    fact(
        L16,
        r"(here $1 - 4/12 = 2/3$, and indeed $8 \cdot 2/3 = 16/3$ and $1.5 \cdot 2/3 = 1$)",
        [
            _obs_brute(_Hm, _w16, 0)[0] / 8,
            _obs_brute(_Hm, _w16, 1)[0] / 1.5,
            1 - _Hm[0, 1] ** 2 / (_Hm[0, 0] * _Hm[1, 1]),
        ],
        [2 / 3] * 3,
        1e-6,
        id="L16 shrink factor 2/3",
    ),
    fact(
        L16,
        r"f(p) should read 1.5 and 1",
        [
            (lambda x, y: 2 * (x - 2) ** 2 + 2 * (x - 2) * (y - 1) + 1.5 * (y - 1) ** 2)(2, 0),
            (lambda x, y: 2 * (x - 2) ** 2 + 2 * (x - 2) * (y - 1) + 1.5 * (y - 1) ** 2)(2.5, 0),
            0.5 * (np.array([0, 0.0]) - _w16) @ _Hm @ (np.array([0, 0.0]) - _w16)
            - (2 * 4 + 2 * -2 * -1 + 1.5),
        ],
        "1.5, 1, 0",
        id="L16 widget values",
    ),
    fact(
        L16,
        r"$w_q = 10$ with $H_{qq} = 0.01$ scores $0.5$, while $w_q = 1$ with $H_{qq} = 4$ scores $2$",
        [0.5 * 0.01 * 10**2, 0.5 * 4 * 1**2],
        "0.5, 2",
        id="L16 OBD check-yourself",
    ),
]


def l16_laplace_coin_general():
    """Mode k/n and H = n / (theta (1 - theta)) for k heads in n tosses."""
    k, n = 13, 40
    E = lambda t: -k * np.log(t) - (n - k) * np.log(1 - t)  # noqa: E731
    mode = k / n
    return (
        [0.0, n / (mode * (1 - mode))],
        [
            num_grad(lambda t: E(t[0]), np.array([mode]))[0],
            num_hess(lambda t: E(t[0]), np.array([mode]))[0, 0],
        ],
        1e-4,
    )


def l16_laplace_exact_for_linear_regression():
    """E(w) = 1/2||Xw - y||^2 + alpha/2 ||w||^2: mode (X^T X + alpha I)^-1 X^T y, Hessian
    X^T X + alpha I at every w, and the Laplace evidence equals the exact integral."""
    X, y = mats(1600, (5, 2), (5,))
    alpha = 0.7
    E = lambda w: 0.5 * np.sum((X @ w - y) ** 2) + alpha / 2 * w @ w  # noqa: E731
    H = X.T @ X + alpha * np.eye(2)
    mode = np.linalg.solve(H, X.T @ y)
    g = np.linspace(-6, 6, 801)
    W = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2) + mode
    R = W @ X.T - y
    vals = np.exp(-(0.5 * np.sum(R**2, 1) + alpha / 2 * np.sum(W**2, 1)))
    exact = vals.sum() * (g[1] - g[0]) ** 2
    laplace = np.exp(-E(mode)) * 2 * np.pi / np.sqrt(np.linalg.det(H))
    stated = np.concatenate([H.ravel(), np.zeros(2), [laplace]])
    measured = np.concatenate(
        [num_hess(E, rng(1601).standard_normal(2)).ravel(), num_grad(E, mode), [exact]]
    )
    return stated, measured, 1e-4


def _logreg_case():
    r = rng(1602)
    X = r.standard_normal((8, 3))
    y = (r.uniform(size=8) < 0.5).astype(float)
    return X, y


def _logreg_loss(w, X, y, lam=0.1):
    p = sigmoid(X @ w)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + lam / 2 * w @ w


def _logreg_fit(X, y, extra=None, eps=0.0):
    w = np.zeros(X.shape[1])
    for _ in range(50):
        p = sigmoid(X @ w)
        g = X.T @ (p - y) / len(y) + 0.1 * w
        H = X.T @ (X * (p * (1 - p))[:, None]) / len(y) + 0.1 * np.eye(len(w))
        if extra is not None:
            xz, yz = extra
            pz = sigmoid(xz @ w)
            g = g + eps * (pz - yz) * xz
            H = H + eps * pz * (1 - pz) * np.outer(xz, xz)
        w = w - np.linalg.solve(H, g)
    return w


def l16_influence_on_parameters():
    """d theta_eps / d eps = -H^-1 grad l(z, theta) (regularised logistic regression)."""
    X, y = _logreg_case()
    w = _logreg_fit(X, y)
    z = (X[2], y[2])
    ell = lambda w: -(z[1] * np.log(sigmoid(z[0] @ w)) + (1 - z[1]) * np.log(1 - sigmoid(z[0] @ w)))  # noqa: E731
    H = num_hess(lambda w: _logreg_loss(w, X, y), w)
    e = 1e-5
    measured = (_logreg_fit(X, y, z, e) - _logreg_fit(X, y, z, -e)) / (2 * e)
    return -np.linalg.solve(H, num_grad(ell, w)), measured, 1e-4


def l16_influence_on_test_loss():
    X, y = _logreg_case()
    w = _logreg_fit(X, y)
    z = (X[5], y[5])
    xt, yt = np.array([0.3, -1.0, 0.8]), 1.0

    def ell(w, x, t):
        return -(t * np.log(sigmoid(x @ w)) + (1 - t) * np.log(1 - sigmoid(x @ w)))

    H = num_hess(lambda w: _logreg_loss(w, X, y), w)
    stated = -num_grad(lambda w: ell(w, xt, yt), w) @ np.linalg.solve(
        H, num_grad(lambda w: ell(w, *z), w)
    )
    e = 1e-5
    measured = (ell(_logreg_fit(X, y, z, e), xt, yt) - ell(_logreg_fit(X, y, z, -e), xt, yt)) / (
        2 * e
    )
    return [stated], [measured], 1e-4


def _obs_case():
    return spd(5, 1603), rng(1604).standard_normal(5)


def l16_obs_update_and_cost():
    """OBS: delta w = -w_q/[H^-1]_qq H^-1 e_q, cost w_q^2/(2[H^-1]_qq), against the constrained
    minimum found by elimination (the other weights solve H_FF d_F = -H_Fq d_q)."""
    H, w = _obs_case()
    Hi = np.linalg.inv(H)
    stated, measured = [], []
    for q in range(5):
        d = -w[q] / Hi[q, q] * Hi[:, q]
        F = [i for i in range(5) if i != q]
        brute = np.zeros(5)
        brute[q] = -w[q]
        brute[F] = np.linalg.solve(H[np.ix_(F, F)], -H[F, q] * -w[q])
        stated += [*d, w[q] ** 2 / (2 * Hi[q, q])]
        measured += [*brute, 0.5 * brute @ H @ brute]
    return stated, measured


def l16_obs_is_the_constrained_minimum():
    """No feasible random perturbation of the OBS move costs less; OBS <= OBD for every q."""
    H, w = _obs_case()
    Hi = np.linalg.inv(H)
    q = 2
    d = -w[q] / Hi[q, q] * Hi[:, q]
    P = rng(1605).standard_normal((2000, 5)) * 0.3
    P[:, q] = 0
    costs = 0.5 * np.einsum("ki,ij,kj->k", d + P, H, d + P)
    obs = [w[i] ** 2 / (2 * Hi[i, i]) for i in range(5)]
    obd = [0.5 * H[i, i] * w[i] ** 2 for i in range(5)]
    return [costs.min() >= 0.5 * d @ H @ d, all(a <= b for a, b in zip(obs, obd, strict=True))], [
        True,
        True,
    ]


def l16_two_weight_shrink_factor():
    H = spd(2, 1606)
    w = rng(1607).standard_normal(2)
    Hi = np.linalg.inv(H)
    factor = 1 - H[0, 1] ** 2 / (H[0, 0] * H[1, 1])
    obs = [w[i] ** 2 / (2 * Hi[i, i]) for i in range(2)]
    obd = [0.5 * H[i, i] * w[i] ** 2 for i in range(2)]
    return [obd[0] * factor, obd[1] * factor], obs


def l16_three_weights_rankings_can_differ():
    """With three weights OBD and OBS can disagree on which weight to prune first."""
    for seed in range(1700, 1800):
        A = rng(seed).standard_normal((3, 3))
        H = A @ A.T + 0.1 * np.eye(3)
        w = rng(seed + 1000).standard_normal(3)
        Hi = np.linalg.inv(H)
        obd = 0.5 * np.diag(H) * w**2
        obs = w**2 / (2 * np.diag(Hi))
        if np.argmin(obd) != np.argmin(obs):
            return [True], [True]
    return [False], [True]


# ----------------------------------------------------------------------------------------
# Lesson 17: case studies
# ----------------------------------------------------------------------------------------

_X17 = np.array([[1.0, 0], [1, 1], [1, 2]])
_y17 = np.array([1.0, 2, 4])
_w17 = np.linalg.solve(_X17.T @ _X17, _X17.T @ _y17)
_P17 = _X17 @ np.linalg.inv(_X17.T @ _X17) @ _X17.T
_Xl = np.array([[1.0, 2], [1, -1], [1, 0]])
_yl = np.array([1.0, 0, 1])


def _nll17(w):
    p = sigmoid(_Xl @ w)
    return -np.sum(_yl * np.log(p) + (1 - _yl) * np.log(1 - p))


_d17 = -np.linalg.solve(num_hess(_nll17, np.zeros(2)), num_grad(_nll17, np.zeros(2)))
_S17 = np.array([[2.0, 1], [1, 2]])
_xg = np.array([1.0, 2])


def _gauss17(mu, S, x=_xg):
    d = x - mu
    return -0.5 * np.linalg.slogdet(S)[1] - 0.5 * d @ np.linalg.solve(S, d) - np.log(2 * np.pi)


def _sym_grad(f, S, h=1e-6):
    """G with df = tr(G dS) for symmetric dS: the derivative along (E_ij + E_ji)/2 for each pair."""
    n = len(S)
    G = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            E = np.zeros((n, n))
            E[i, j] += 0.5
            E[j, i] += 0.5
            G[i, j] = (f(S + h * E) - f(S - h * E)) / (2 * h)
    return G


_K0 = np.array([[2.0, 1], [1, 2]])
_yg = np.array([1.0, 2])


def _gp17(theta, K0=_K0, y=_yg):
    K = theta * K0 + np.eye(len(y))
    return -0.5 * y @ np.linalg.solve(K, y) - 0.5 * np.linalg.slogdet(K)[1] - np.log(2 * np.pi)


_Kg = _K0 + np.eye(2)
_ag = np.linalg.solve(_Kg, _yg)
_mu17 = np.array([1.0, -1])
_sig17 = np.array([2.0, 0.5])
_L17 = np.array([[1.5, 0], [0.5, 0.8]])


def _kl_diag(mu, s):
    return 0.5 * np.sum(s**2 + mu**2 - 1 - np.log(s**2))


def _mc17(seed=1, n=10**6):
    eps = np.random.default_rng(seed).standard_normal((n, 2))
    z = _mu17 + eps @ _L17.T
    samples = (z[:, :, None] * eps[:, None, :]).reshape(n, 4)
    return samples.mean(0), samples.std(0) / np.sqrt(n)


_mc_mean, _mc_se = _mc17()
_printed_mc = np.array([1.499, -0.004, 0.496, 0.797])

WORKED_NUMBERS += [
    fact(
        L17,
        r"$X^\top X = \begin{bmatrix} 3 & 3 \\ 3 & 5 \end{bmatrix}$ (determinant $6$) and "
        r"$X^\top y = (7, 10)$",
        [*(_X17.T @ _X17).ravel(), np.linalg.det(_X17.T @ _X17), *(_X17.T @ _y17)],
        "3, 3, 3, 5, 6, 7, 10",
        id="L17 normal-equation matrices",
    ),
    fact(
        L17,
        r"= \frac16 (5, 9) = (5/6,\ 3/2)$",
        [*_w17, *(6 * _w17)],
        [5 / 6, 3 / 2, 5, 9],
        1e-12,
        id="L17 least-squares weights",
    ),
    fact(
        L17,
        r"Fitted values $\hat y = (5/6,\ 7/3,\ 23/6)$; residual $r = y - \hat y = (1/6,\ -1/3,\ 1/6)$",
        [*(_X17 @ _w17), *(_y17 - _X17 @ _w17)],
        [5 / 6, 7 / 3, 23 / 6, 1 / 6, -1 / 3, 1 / 6],
        1e-12,
        id="L17 fitted values and residual",
    ),
    fact(
        L17,
        r"P = \frac16 \begin{bmatrix} 5 & 2 & -1 \\ 2 & 2 & 2 \\ -1 & 2 & 5 \end{bmatrix}$, with "
        r"trace $12/6 = 2$",
        [*(6 * _P17).ravel(), np.trace(_P17)],
        "5, 2, -1, 2, 2, 2, -1, 2, 5, 2",
        id="L17 hat matrix",
    ),
    fact(
        L17,
        r"$X^\top r = (1/6 - 1/3 + 1/6,\ 0 - 1/3 + 2/6) = (0, 0)$",
        [*(_X17.T @ (_y17 - _X17 @ _w17)), *(_P17 @ _y17 - [5 / 6, 7 / 3, 23 / 6])],
        [0] * 5,
        1e-12,
        id="L17 residual orthogonal, Py = y_hat",
    ),
    fact(
        L17,
        r"$\hat w = \frac{1}{15}\begin{bmatrix} 6 & -3 \\ -3 & 4 \end{bmatrix}(7, 10) = "
        r"(0.8,\ 1.267)$",
        [
            *(15 * np.linalg.inv(_X17.T @ _X17 + np.eye(2))).ravel(),
            *np.linalg.solve(_X17.T @ _X17 + np.eye(2), _X17.T @ _y17),
        ],
        "6, -3, -3, 4, 0.8, 1.267",
        id="L17 ridge weights",
    ),
    fact(
        L17,
        r"In the worked example, $1/6 - 1/3 + 1/6 = 0$",
        np.sum(_y17 - _X17 @ _w17),
        "0",
        id="L17 residual sums to zero",
    ),
    fact(
        L17,
        r"so $\nabla L = X^\top(p - y) = (-1/2,\ -3/2)$",
        num_grad(_nll17, np.zeros(2)),
        [-1 / 2, -3 / 2],
        1e-8,
        id="L17 logistic gradient at 0",
    ),
    fact(
        L17,
        r"$\nabla^2 L = \tfrac14 X^\top X = \tfrac14\begin{bmatrix} 3 & 1 \\ 1 & 5 \end{bmatrix}$",
        4 * num_hess(_nll17, np.zeros(2)).ravel(),
        [3, 1, 1, 5],
        1e-4,
        id="L17 logistic Hessian at 0",
    ),
    fact(
        L17,
        r"gives $\delta = (2/7,\ 8/7)$",
        _d17,
        [2 / 7, 8 / 7],
        1e-5,
        id="L17 Newton step",
    ),
    fact(
        L17,
        r"The loss falls from $3\log 2 = 2.079$ to $0.988$ after the step",
        [_nll17(np.zeros(2)), _nll17(_d17)],
        "2.079, 0.988",
        id="L17 loss before and after",
    ),
    fact(
        L17,
        r"$\Sigma^{-1}d = \frac13(2 - 2,\ -1 + 4) = (0, 1)$",
        num_grad(lambda mu: _gauss17(mu, _S17), np.zeros(2)),
        "0, 1",
        id="L17 Gaussian gradient by the mean",
    ),
    fact(
        L17,
        r"= \begin{bmatrix} -1/3 & 1/6 \\ 1/6 & 1/6 \end{bmatrix}$.",
        _sym_grad(lambda S: _gauss17(np.zeros(2), S), _S17).ravel(),
        [-1 / 3, 1 / 6, 1 / 6, 1 / 6],
        1e-8,
        id="L17 Gaussian symmetric gradient by Sigma",
    ),
    fact(
        L17,
        r"changes $\ell$ at the rate $1/3 = 2G_{12}$",
        (
            _gauss17(np.zeros(2), _S17 + 1e-6 * np.array([[0, 1], [1, 0]]))
            - _gauss17(np.zeros(2), _S17 - 1e-6 * np.array([[0, 1], [1, 0]]))
        )
        / 2e-6,
        1 / 3,
        1e-8,
        id="L17 both off-diagonal entries together",
    ),
    fact(
        L17,
        r"$K^{-1} = \frac18\begin{bmatrix} 3 & -1 \\ -1 & 3 \end{bmatrix}$, and "
        r"$\alpha = K^{-1}y = (1/8,\ 5/8)$",
        [*(8 * np.linalg.inv(_Kg)).ravel(), *(8 * _ag)],
        "3, -1, -1, 3, 1, 5",
        id="L17 GP alpha",
    ),
    fact(
        L17,
        r"= \frac{31}{64}$",
        0.5 * _ag @ _K0 @ _ag * 64,
        31.0,
        1e-9,
        id="L17 GP fit term 31/64",
    ),
    fact(
        L17,
        r"trace $10/8$, so $\tfrac12\operatorname{tr}(K^{-1}K_0) = \frac{40}{64}$",
        [
            *(8 * np.linalg.inv(_Kg) @ _K0).ravel(),
            np.trace(np.linalg.inv(_Kg) @ _K0) * 8,
            0.5 * np.trace(np.linalg.inv(_Kg) @ _K0) * 64,
        ],
        [5, 1, 1, 5, 10, 40],
        1e-9,
        id="L17 GP complexity term 40/64",
    ),
    fact(
        L17,
        r"The derivative is $\frac{31 - 40}{64} = -\frac{9}{64} = -0.1406$",
        [
            (0.5 * _ag @ _K0 @ _ag - 0.5 * np.trace(np.linalg.inv(_Kg) @ _K0)) * 64,
            num_grad(lambda t: _gp17(t[0]), np.array([1.0]))[0],
        ],
        "-9, -0.1406",
        id="L17 GP derivative",
    ),
    fact(
        L17,
        r"at $\theta = 1 \pm 10^{-6}$ gives $-0.140625$",
        (_gp17(1 + 1e-6) - _gp17(1 - 1e-6)) / 2e-6,
        "-0.140625",
        id="L17 GP central difference",
    ),
    fact(
        L17,
        r"= \tfrac12 \cdot 4.25 = 2.125$",
        _kl_diag(_mu17, _sig17),
        "2.125",
        id="L17 diagonal KL",
    ),
    fact(
        L17,
        r"$\partial\mathrm{KL}/\partial\sigma = (2 - 0.5,\ 0.5 - 2) = (1.5, -1.5)$",
        [
            *num_grad(lambda m: _kl_diag(m, _sig17), _mu17),
            *num_grad(lambda s: _kl_diag(_mu17, s), _sig17),
        ],
        "1, -1, 1.5, -1.5",
        id="L17 diagonal KL gradients",
    ),
    fact(
        L17,
        r"over $10^6$ samples is $\begin{bmatrix} 1.499 & -0.004 \\ 0.496 & 0.797 \end{bmatrix}$",
        np.abs(_printed_mc - _L17.ravel()) / _mc_se,
        [0] * 4,
        3,
        id="L17 Monte Carlo matrix within 3 standard errors of L",
    ),
    fact(
        L17,
        r"over $10^6$ samples is $\begin{bmatrix} 1.499 & -0.004 \\ 0.496 & 0.797 \end{bmatrix}$",
        _mc_mean,
        "1.499, -0.004, 0.496, 0.797",
        id="L17 Monte Carlo matrix reproduced (default_rng(1))",
    ),
]


def l17_least_squares_gradient_and_normal_equations():
    X, y, w = mats(1700, (6, 3), (6,), (3,))
    w_hat = np.linalg.solve(X.T @ X, X.T @ y)
    L = lambda w: 0.5 * np.sum((X @ w - y) ** 2)  # noqa: E731
    return (
        np.concatenate([X.T @ X @ w - X.T @ y, np.zeros(3), (X.T @ X).ravel()]),
        np.concatenate([num_grad(L, w), num_grad(L, w_hat), num_hess(L, w).ravel()]),
        1e-5,
    )


def l17_hat_matrix_properties():
    X, y = mats(1701, (6, 3), (6,))
    P = X @ np.linalg.solve(X.T @ X, X.T)
    r = y - P @ y
    return np.concatenate([P.ravel(), (P @ P).ravel(), [3.0], np.zeros(3)]), np.concatenate(
        [P.T.ravel(), P.ravel(), [np.trace(P)], X.T @ r]
    )


def l17_ridge_with_more_parameters_than_examples():
    """(X^T X + lambda I) is invertible with eigenvalues >= lambda even when p > N; at the
    ridge solution X^T r = lambda w, so the residual of an intercept fit need not sum to 0."""
    X, y = mats(1702, (3, 5), (3,))
    lam = 0.4
    w = np.linalg.solve(X.T @ X + lam * np.eye(5), X.T @ y)
    L = lambda w: 0.5 * np.sum((X @ w - y) ** 2) + lam / 2 * w @ w  # noqa: E731
    ev = np.linalg.eigvalsh(X.T @ X + lam * np.eye(5))
    return np.concatenate([np.zeros(5), [1.0], lam * w]), np.concatenate(
        [num_grad(L, w), [float(ev.min() >= lam - 1e-12)], X.T @ (y - X @ w)]
    )


def _logreg17():
    r = rng(1703)
    X, w = r.standard_normal((7, 3)), r.standard_normal(3)
    y = (r.uniform(size=7) < 0.5).astype(float)

    def L(w):
        p = sigmoid(X @ w)
        return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))

    return X, y, w, L


def l17_logistic_gradient():
    X, y, w, L = _logreg17()
    return X.T @ (sigmoid(X @ w) - y), num_grad(L, w)


def l17_logistic_hessian():
    X, y, w, L = _logreg17()
    p = sigmoid(X @ w)
    S = np.diag(p * (1 - p))
    assert np.all(np.diag(S) <= 0.25)
    return X.T @ S @ X, num_hess(L, w), 1e-4


def _gauss_case17():
    r = rng(1704)
    return r.standard_normal(4), r.standard_normal(4), spd(4, 1705)


def _ell17(x, mu, S):
    d = x - mu
    return -0.5 * np.linalg.slogdet(S)[1] - 0.5 * d @ np.linalg.solve(S, d) - 2 * np.log(2 * np.pi)


def l17_gaussian_grad_mean():
    x, mu, S = _gauss_case17()
    return np.linalg.solve(S, x - mu), num_grad(lambda m: _ell17(x, m, S), mu)


def l17_gaussian_symmetric_grad_cov():
    x, mu, S = _gauss_case17()
    Si = np.linalg.inv(S)
    d = x - mu
    G = 0.5 * (Si @ np.outer(d, d) @ Si - Si)
    E = rng(1706).standard_normal((4, 4))
    E = E + E.T
    t = 1e-6
    along = (_ell17(x, mu, S + t * E) - _ell17(x, mu, S - t * E)) / (2 * t)
    return np.concatenate([G.ravel(), [np.trace(G @ E)]]), np.concatenate(
        [_sym_grad(lambda S: _ell17(x, mu, S), S).ravel(), [along]]
    )


def l17_gaussian_distinct_entries_2G_minus_diag():
    x, mu, S = _gauss_case17()
    Si = np.linalg.inv(S)
    d = x - mu
    G = 0.5 * (Si @ np.outer(d, d) @ Si - Si)
    D = np.zeros((4, 4))
    t = 1e-6
    for i in range(4):
        for j in range(4):
            E = np.zeros((4, 4))
            E[i, j] = E[j, i] = 1.0
            D[i, j] = (_ell17(x, mu, S + t * E) - _ell17(x, mu, S - t * E)) / (2 * t)
    return 2 * G - np.diag(np.diag(G)), D


def _rbf(t, ell, sf2, noise):
    d2 = (t[:, None] - t[None, :]) ** 2
    return sf2 * np.exp(-d2 / (2 * ell**2)) + noise * np.eye(len(t))


def l17_gp_hyperparameter_gradient():
    """d log p / d theta = 1/2 tr((alpha alpha^T - K^-1) K') for length scale, variance, noise."""
    r = rng(1707)
    t, y = np.sort(r.uniform(0, 5, 6)), r.standard_normal(6)
    params = np.array([1.3, 0.8, 0.2])

    def logp(p):
        K = _rbf(t, *p)
        return (
            -0.5 * y @ np.linalg.solve(K, y) - 0.5 * np.linalg.slogdet(K)[1] - 3 * np.log(2 * np.pi)
        )

    K = _rbf(t, *params)
    Ki = np.linalg.inv(K)
    a = Ki @ y
    stated = []
    for i in range(3):
        Kp = num_jac(lambda q: _rbf(t, *q).ravel(), params)[:, i].reshape(6, 6)
        stated.append(0.5 * np.trace((np.outer(a, a) - Ki) @ Kp))
        assert np.isclose(stated[-1], 0.5 * a @ Kp @ a - 0.5 * np.trace(Ki @ Kp))
    return stated, num_grad(logp, params)


def _kl_full(mu, S):
    return 0.5 * (np.trace(S) + mu @ mu - len(mu) - np.linalg.slogdet(S)[1])


def l17_kl_gradients():
    mu = rng(1708).standard_normal(3)
    S = spd(3, 1709) / 3
    G = 0.5 * (np.eye(3) - np.linalg.inv(S))
    return np.concatenate([mu, G.ravel()]), np.concatenate(
        [num_grad(lambda m: _kl_full(m, S), mu), _sym_grad(lambda S: _kl_full(mu, S), S).ravel()]
    )


def l17_kl_gradients_vanish_at_standard_normal():
    return np.zeros(3 + 9), np.concatenate(
        [
            num_grad(lambda m: _kl_full(m, np.eye(3)), np.zeros(3)),
            _sym_grad(lambda S: _kl_full(np.zeros(3), S), np.eye(3)).ravel(),
        ]
    )


def l17_kl_gradient_by_cholesky_factor():
    """nabla_L KL = L - L^-T for a general L; over the lower triangle, L - diag(1/L_ii)."""
    mu = rng(1710).standard_normal(3)
    L = rng(1711).standard_normal((3, 3)) + 2 * np.eye(3)
    kl = lambda L: _kl_full(mu, L @ L.T)  # noqa: E731
    full = num_grad(kl, L)
    Lt = np.tril(L)
    lower = np.tril(num_grad(kl, Lt))
    stated_lower = np.tril(Lt) - np.diag(1 / np.diag(Lt))
    return np.concatenate([(L - np.linalg.inv(L).T).ravel(), stated_lower.ravel()]), np.concatenate(
        [full.ravel(), lower.ravel()]
    )


def l17_kl_diagonal_sigma_gradient():
    mu, s = rng(1712).standard_normal(4), rng(1713).uniform(0.3, 2, 4)
    return s - 1 / s, num_grad(lambda s: _kl_diag(mu, s), s)


def l17_reparametrisation_pathwise_gradient():
    """For one eps: grad_mu f(mu + L eps) = grad_z f and grad_L = grad_z f eps^T (f nonlinear)."""
    mu, eps, c = mats(1714, (3,), (3,), (3,))
    L = np.tril(rng(1715).standard_normal((3, 3))) + np.eye(3)
    f = lambda z: np.sum(np.sin(z) * c) + 0.25 * (z @ z) ** 2  # noqa: E731
    gz = num_grad(f, mu + L @ eps)
    return np.concatenate([gz, np.outer(gz, eps).ravel()]), np.concatenate(
        [num_grad(lambda m: f(m + L @ eps), mu), num_grad(lambda L: f(mu + L @ eps), L).ravel()]
    )


def l17_reparametrisation_expectation():
    """E[f] = 1/2(||mu||^2 + tr(L L^T)) for f = 1/2||z||^2, so its gradient by L is L."""
    mean, se = _mc17(seed=2, n=200_000)
    return [np.max(np.abs(mean - _L17.ravel()) / se) < 4], [True]


# ----------------------------------------------------------------------------------------
# Lesson 18: beyond matrices
# ----------------------------------------------------------------------------------------

_A18 = np.array([[1.0, 2], [3, 4]])
_X18 = np.array([[1.0, -1], [2, 0]])
_B18 = np.array([[0.0, 1], [1, 2]])
_Xi = np.array([[2.0, 1], [1, 1]])

WORKED_NUMBERS += [
    fact(
        L18,
        r"$\partial y_2/\partial W_{23} = x_3 = 2$, and $\partial y_1/\partial W_{23} = 0$",
        num_jac(lambda W: W.reshape(2, 3) @ [3.0, -1, 2], np.zeros(6))[:, 5],
        "0, 2",
        id="L18 dy/dW23",
    ),
    fact(
        L18,
        r"The derivative has $2 \times 2 \times 3 = 12$ entries, of which only $6$",
        [
            num_jac(lambda W: W.reshape(2, 3) @ [3.0, -1, 2], np.zeros(6)).size,
            np.count_nonzero(num_jac(lambda W: W.reshape(2, 3) @ [3.0, -1, 2], np.zeros(6))),
        ],
        "12, 6",
        id="L18 dy/dW entries",
    ),
    fact(
        L18,
        r"\operatorname{vec}(X) = (x_{11},\ x_{21},\ x_{12},\ x_{22})",
        vec(np.array([[11, 12], [21, 22]])),
        "11, 21, 12, 22",
        id="L18 vec stacks columns",
    ),
    fact(
        L18,
        r"= \begin{bmatrix} 0 & 1 & 0 & 2 \\ 1 & 0 & 2 & 0 \\ 0 & 3 & 0 & 4 \\ 3 & 0 & 4 & 0 "
        r"\end{bmatrix}$",
        np.kron(_A18, np.array([[0, 1], [1, 0]])).ravel(),
        "0, 1, 0, 2, 1, 0, 2, 0, 0, 3, 0, 4, 3, 0, 4, 0",
        id="L18 Kronecker example",
    ),
    fact(
        L18,
        r"so it is $a_{21}b_{12}$; here $3 \cdot 1 = 3$",
        np.kron(_A18, np.array([[0, 1], [1, 0]]))[2, 1],
        "3",
        id="L18 Kronecker entry (3,2)",
    ),
    fact(
        L18,
        r"$AX = \begin{bmatrix} 5 & -1 \\ 11 & -3 \end{bmatrix}$ and "
        r"$AXB = \begin{bmatrix} -1 & 3 \\ -3 & 5 \end{bmatrix}$, so "
        r"$\operatorname{vec}(AXB) = (-1, -3, 3, 5)$",
        [*(_A18 @ _X18).ravel(), *(_A18 @ _X18 @ _B18).ravel(), *vec(_A18 @ _X18 @ _B18)],
        "5, -1, 11, -3, -1, 3, -3, 5, -1, -3, 3, 5",
        id="L18 AX, AXB, vec(AXB)",
    ),
    fact(
        L18,
        r"= \begin{bmatrix} 0 & 0 & 1 & 2 \\ 0 & 0 & 3 & 4 \\ 1 & 2 & 2 & 4 \\ 3 & 4 & 6 & 8 "
        r"\end{bmatrix}$",
        num_jac(lambda v: vec(_A18 @ v.reshape(2, 2, order="F") @ _B18), vec(_X18)).ravel(),
        "0, 0, 1, 2, 0, 0, 3, 4, 1, 2, 2, 4, 3, 4, 6, 8",
        id="L18 B^T kron A by finite differences",
    ),
    fact(
        L18,
        r"With $\operatorname{vec}(X) = (1, 2, -1, 0)$: the rows give $-1$, $-3$, "
        r"$1 + 4 - 2 = 3$ and $3 + 8 - 6 = 5$",
        [*vec(_X18), *(np.kron(_B18.T, _A18) @ vec(_X18))],
        "1, 2, -1, 0, -1, -3, 3, 5",
        id="L18 the rule applied",
    ),
    fact(
        L18,
        r"$\det X = 1$ and $Z = X^{-1} = \begin{bmatrix} 1 & -1 \\ -1 & 2 \end{bmatrix}$",
        [np.linalg.det(_Xi), *np.linalg.inv(_Xi).ravel()],
        "1, 1, -1, -1, 2",
        id="L18 2x2 inverse",
    ),
    fact(
        L18,
        r"= \begin{bmatrix} -1 & 1 & 1 & -1 \\ 1 & -2 & -1 & 2 \\ 1 & -1 & -2 & 2 \\ "
        r"-1 & 2 & 2 & -4 \end{bmatrix} .",
        num_jac(lambda v: vec(np.linalg.inv(v.reshape(2, 2, order="F"))), vec(_Xi)).ravel(),
        "-1, 1, 1, -1, 1, -2, -1, 2, 1, -1, -2, 2, -1, 2, 2, -4",
        id="L18 derivative of the inverse by finite differences",
    ),
    fact(
        L18,
        r"so $\partial Z_{11}/\partial X_{12} = 1$; the entry formula agrees: "
        r"$-Z_{11}Z_{21} = -(1)(-1) = 1$",
        [
            num_grad(lambda X: np.linalg.inv(X)[0, 0], _Xi)[0, 1],
            -np.linalg.inv(_Xi)[0, 0] * np.linalg.inv(_Xi)[1, 0],
        ],
        "1, 1",
        id="L18 one entry",
    ),
    fact(
        L18,
        r"for $1000 \times 1000$ matrices the Kronecker Jacobian has $10^{12}$ entries",
        float((1000 * 1000) * (1000 * 1000)),  # B^T kron A is (qm) x (pn), all sizes 1000
        1e12,
        0.5,
        id="L18 size of the Kronecker Jacobian",
    ),
]


def l18_vec_rule():
    A, X, B = mats(1800, (2, 3), (3, 4), (4, 5))
    return vec(A @ X @ B), np.kron(B.T, A) @ vec(X)


def l18_vec_rule_jacobian():
    A, X, B = mats(1801, (2, 3), (3, 4), (4, 5))
    J = num_jac(lambda v: vec(A @ v.reshape(3, 4, order="F") @ B), vec(X))
    assert J.shape == (2 * 5, 3 * 4)
    return np.kron(B.T, A), J


def l18_special_cases():
    A, X, B = mats(1802, (2, 3), (3, 4), (4, 5))
    JA = num_jac(lambda v: vec(A @ v.reshape(3, 4, order="F")), vec(X))
    JB = num_jac(lambda v: vec(v.reshape(3, 4, order="F") @ B), vec(X))
    return np.concatenate([np.kron(np.eye(4), A).ravel(), np.kron(B.T, np.eye(3)).ravel()]), (
        np.concatenate([JA.ravel(), JB.ravel()])
    )


def l18_wx_by_w():
    W, x = mats(1803, (2, 3), (3,))
    J = num_jac(lambda v: v.reshape(2, 3, order="F") @ x, vec(W))
    return np.kron(x[None, :], np.eye(2)), J


def l18_dy_dW_entries():
    """dy_i/dW_kj = delta_ik x_j, as an m x m x n array."""
    W, x = mats(1804, (2, 3), (3,))
    J = num_jac(lambda v: v.reshape(2, 3) @ x, W.ravel()).reshape(2, 2, 3)
    return np.einsum("ik,j->ikj", np.eye(2), x), J


def l18_frobenius_is_vec_dot():
    A, B = mats(1805, (3, 4), (3, 4))
    return [np.trace(A.T @ B)], [vec(A) @ vec(B)]


def l18_kronecker_rules():
    A, B, C, D = mats(1806, (2, 3), (4, 2), (3, 2), (2, 5))
    P, Q = rng(1807).standard_normal((2, 2)) + 2 * np.eye(2), rng(1808).standard_normal((3, 3))
    Q += 2 * np.eye(3)
    a, b = mats(1809, (3,), (4,))
    stated = np.concatenate(
        [
            np.kron(A.T, B.T).ravel(),
            (np.kron(A @ C, B @ D)).ravel(),
            np.kron(np.linalg.inv(P), np.linalg.inv(Q)).ravel(),
            [np.trace(P) * np.trace(Q), np.linalg.det(P) ** 3 * np.linalg.det(Q) ** 2],
            np.kron(b, a),
        ]
    )
    measured = np.concatenate(
        [
            np.kron(A, B).T.ravel(),
            (np.kron(A, B) @ np.kron(C, D)).ravel(),
            np.linalg.inv(np.kron(P, Q)).ravel(),
            [np.trace(np.kron(P, Q)), np.linalg.det(np.kron(P, Q))],
            vec(np.outer(a, b)),
        ]
    )
    return stated, measured


def l18_kronecker_not_commutative():
    """A kron B and B kron A hold the same numbers in a different order."""
    A, B = mats(1810, (2, 3), (3, 2))
    K1, K2 = np.kron(A, B), np.kron(B, A)
    return [np.allclose(np.sort(K1.ravel()), np.sort(K2.ravel())), np.allclose(K1, K2)], [
        True,
        False,
    ]


def l18_inverse_jacobian():
    X = rng(1811).standard_normal((3, 3)) + 3 * np.eye(3)
    Zi = np.linalg.inv(X)
    J = num_jac(lambda v: vec(np.linalg.inv(v.reshape(3, 3, order="F"))), vec(X))
    entries = -np.einsum("ik,lj->ijkl", Zi, Zi)  # dZ_ij / dX_kl
    measured = num_jac(lambda v: np.linalg.inv(v.reshape(3, 3)).ravel(), X.ravel()).reshape(
        3, 3, 3, 3
    )
    return np.concatenate([-np.kron(Zi.T, Zi).ravel(), entries.ravel()]), np.concatenate(
        [J.ravel(), measured.ravel()]
    )


def l18_chain_rule_without_the_tensor():
    A, X, B, C = mats(1812, (2, 3), (3, 4), (4, 5), (2, 5))
    L = lambda Y: np.sum(np.sin(Y) * C)  # noqa: E731
    GY = np.cos(A @ X @ B) * C
    via_kron = (np.kron(B.T, A).T @ vec(GY)).reshape(3, 4, order="F")
    return np.concatenate([via_kron.ravel(), (A.T @ GY @ B.T).ravel()]), np.concatenate(
        [num_grad(lambda X: L(A @ X @ B), X).ravel()] * 2
    )


def l18_grad_of_half_frobenius_AWB_minus_C():
    A, W, B, C = mats(1813, (2, 3), (3, 4), (4, 5), (2, 5))
    return A.T @ (A @ W @ B - C) @ B.T, num_grad(lambda W: 0.5 * np.sum((A @ W @ B - C) ** 2), W)


def l18_hessian_in_vec_layout():
    """The Hessian of tr(X^T M X) by X (n x p) in vec layout is I_p kron (M + M^T), np x np."""
    M, X = mats(1814, (3, 3), (3, 2))
    H = num_hess(
        lambda v: np.trace(v.reshape(3, 2, order="F").T @ M @ v.reshape(3, 2, order="F")), vec(X)
    )
    return np.kron(np.eye(2), M + M.T), H, 1e-4


IDENTITIES = [
    pytest.param(f, id=id)
    for f, id in [
        (l2_partials_x2y2, "L2 partials of x^2 y^2"),
        (l2_partials_x_exp_xy, "L2 partials of x e^(xy)"),
        (l2_partials_of_example, "L2 grad of x^2 y + y^3"),
        (l2_directional_derivative, "L2 D_u f = grad . u"),
        (l2_steepest_ascent, "L2 steepest ascent along grad, slope ||grad||"),
        (l2_gradient_perpendicular_to_level_curve, "L2 grad perpendicular to level curve"),
        (l2_linear_approximation_error_is_small, "L2 linear approximation error o(||h||)"),
        (l2_gradient_of_xtx, "L2 grad x^T x = 2x"),
        (l2_gradient_of_btx_plus_3, "L2 grad b^T x + 3 = b"),
        (l4_squaring_map_jacobian_and_det, "L4 squaring map J and det 4(x^2+y^2)"),
        (l4_linear_map_jacobian, "L4 d(Ax+b)/dx = A"),
        (l4_elementwise_diagonal, "L4 elementwise map diag(g')"),
        (l4_activation_of_linear, "L4 d g(Wx+b)/dx = diag(g') W"),
        (l4_softmax_jacobian_is_not_diagonal, "L4 softmax Jacobian is not diagonal"),
        (l4_hadamard_product_rule, "L4 Hadamard product rule"),
        (l4_hadamard_special_cases, "L4 diag(a) and 2 diag(x)"),
        (l4_broadcast_and_its_backward, "L4 broadcast: 1 and sum of upstream"),
        (l4_sum_reductions, "L4 sum reductions g'(x)^T"),
        (l4_expm_derivative_by_time, "L4 d/dt e^(At) x0 = A e^(At) x0"),
        (l4_expm_derivative_by_start, "L4 dx(t)/dx0 = e^(At)"),
        (l4_expm_is_the_series, "L4 e^A is the series"),
        (l7_grad_tr_AX, "L7 grad tr(AX) = A^T"),
        (l7_grad_tr_XtA, "L7 grad tr(X^T A) = A"),
        (l7_grad_atXb, "L7 grad a^T X b = a b^T"),
        (l7_grad_tr_AXB, "L7 grad tr(AXB) = A^T B^T"),
        (l7_grad_tr_AXtB, "L7 grad tr(A X^T B) = BA"),
        (l7_grad_tr_XtAX, "L7 grad tr(X^T A X) = (A+A^T)X"),
        (l7_grad_tr_XAXt, "L7 grad tr(X A X^T) = X(A+A^T)"),
        (l7_symmetric_A_gives_2AX_and_2XA, "L7 symmetric A: 2AX and 2XA"),
        (l7_grad_frobenius, "L7 grad ||X||_F^2 = 2X"),
        (l7_grad_least_squares_by_W, "L7 grad_W ||WX-Y||^2"),
        (l7_grad_least_squares_by_X, "L7 grad_X ||WX-Y||^2"),
        (l7_random_direction_check, "L7 the lesson's direction check"),
        (l9_jacobians_multiply, "L9 J_(g o f) = J_g J_f"),
        (l9_index_form_is_the_product, "L9 index form"),
        (l9_wrong_order_differs, "L9 J_f J_g is not the answer"),
        (l9_gradient_form, "L9 grad_x L = J^T grad_u L"),
        (l9_half_least_squares, "L9 grad 1/2||Ax-b||^2 = A^T(Ax-b)"),
        (l9_elementwise_then_linear, "L9 grad l(phi(Ax)) = A^T(phi' * grad l)"),
        (l9_sum_exp, "L9 grad sum exp(Ax) = A^T exp(Ax)"),
        (l9_total_derivative_scalar, "L9 total derivative 3x^2 + 4x^3"),
        (l9_total_derivative_vector, "L9 total derivative (A+A^T)x"),
        (l9_matrix_chain_grad_W_and_X, "L9 grad_W = G X^T, grad_X = W^T G"),
        (l10_abs_subdifferential, "L10 subdifferential of |x| at 0 is [-1,1]"),
        (l10_abs_away_from_zero, "L10 |x| at 2: only slope 1"),
        (l10_relu_subdifferential, "L10 subdifferential of relu at 0 is [0,1]"),
        (l10_hinge_subdifferential, "L10 subdifferential of hinge at 1 is [-1,0]"),
        (l10_l1_norm_subgradient, "L10 L1-norm subgradient"),
        (l10_soft_threshold_is_the_argmin, "L10 soft-threshold = 1-D lasso argmin"),
        (l10_lasso_optimality_conditions, "L10 lasso optimality conditions"),
        (l10_ista_never_raises_the_loss, "L10 ISTA with eta = 1/lambda_max is monotone"),
        (l10_ridge_never_exactly_zero, "L10 ridge weights are not exactly zero"),
        (l10_svm_subgradient_set, "L10 SVM subgradient set theta in [0,1]"),
        (l12_jvp_is_directional_derivative, "L12 JVP J3(J2(J1 v)) = directional derivative"),
        (l12_vjp_is_gradient_of_u_dot_f, "L12 VJP = grad of u^T f"),
        (l12_jvp_vjp_duality, "L12 u^T(Jv) = (J^T u)^T v"),
        (l12_passes_for_full_jacobian, "L12 n forward or m reverse passes"),
        (l12_softplus_backward, "L12 softplus backward y_bar * sigma(x)"),
        (l12_matmul_backward, "L12 matmul backward Y_bar W^T, X^T Y_bar"),
        (l12_stable_softplus, "L12 stable softplus"),
        (l15_gd_error_recursion, "L15 e_(k+1) = (I - alpha A) e_k"),
        (l15_gd_step_size_limit, "L15 GD stable iff alpha < 2/lambda_max"),
        (l15_gd_best_rate, "L15 best step and rate (kappa-1)/(kappa+1)"),
        (l15_newton_one_step_on_quadratic, "L15 one Newton step solves a quadratic"),
        (l15_newton_quadratic_convergence, "L15 Newton converges quadratically"),
        (l15_fisher_two_forms, "L15 Fisher = E[score score^T] = E[-Hessian]"),
        (l15_kl_is_half_fisher_quadratic, "L15 KL ~ 1/2 d^T F d"),
        (l15_natural_gradient_invariance, "L15 natural gradient invariance"),
        (l15_cg_finishes_in_distinct_eigenvalues, "L15 CG: iterations <= distinct eigenvalues"),
        (l15_cg_finishes_in_n, "L15 CG solves in n iterations"),
        (l15_cg_error_bound, "L15 CG error falls like ((sqrt k-1)/(sqrt k+1))^k"),
        (l16_laplace_coin_general, "L16 Laplace coin mode k/n, H = n/(t(1-t))"),
        (l16_laplace_exact_for_linear_regression, "L16 Laplace exact for linear regression"),
        (l16_influence_on_parameters, "L16 influence -H^-1 grad l (refitting)"),
        (l16_influence_on_test_loss, "L16 test-loss influence (refitting)"),
        (l16_obs_update_and_cost, "L16 OBS update and cost"),
        (l16_obs_is_the_constrained_minimum, "L16 OBS is the constrained minimum, L_q <= s_q"),
        (l16_two_weight_shrink_factor, "L16 two weights: factor 1 - H12^2/(H11 H22)"),
        (l16_three_weights_rankings_can_differ, "L16 three weights: OBD and OBS can disagree"),
        (l17_least_squares_gradient_and_normal_equations, "L17 least squares grad, Hessian"),
        (l17_hat_matrix_properties, "L17 hat matrix symmetric, idempotent, trace p"),
        (l17_ridge_with_more_parameters_than_examples, "L17 ridge with p > N"),
        (l17_logistic_gradient, "L17 logistic gradient"),
        (l17_logistic_hessian, "L17 logistic Hessian X^T S X"),
        (l17_gaussian_grad_mean, "L17 Gaussian grad mean"),
        (l17_gaussian_symmetric_grad_cov, "L17 Gaussian symmetric grad cov"),
        (l17_gaussian_distinct_entries_2G_minus_diag, "L17 distinct entries 2G - diag(G)"),
        (l17_gp_hyperparameter_gradient, "L17 GP hyperparameter gradient"),
        (l17_kl_gradients, "L17 KL gradients mu and (I - Sigma^-1)/2"),
        (l17_kl_gradients_vanish_at_standard_normal, "L17 KL gradients vanish at N(0, I)"),
        (l17_kl_gradient_by_cholesky_factor, "L17 KL grad by L = L - L^-T"),
        (l17_kl_diagonal_sigma_gradient, "L17 KL diagonal sigma - 1/sigma"),
        (l17_reparametrisation_pathwise_gradient, "L17 reparametrisation pathwise gradient"),
        (l17_reparametrisation_expectation, "L17 reparametrisation Monte Carlo"),
        (l18_vec_rule, "L18 vec(AXB) = (B^T kron A) vec(X)"),
        (l18_vec_rule_jacobian, "L18 Jacobian of vec(AXB)"),
        (l18_special_cases, "L18 I kron A and B^T kron I"),
        (l18_wx_by_w, "L18 dy/dvec(W) = x^T kron I"),
        (l18_dy_dW_entries, "L18 dy_i/dW_kj = delta_ik x_j"),
        (l18_frobenius_is_vec_dot, "L18 tr(A^T B) = vec(A).vec(B)"),
        (l18_kronecker_rules, "L18 Kronecker rules"),
        (l18_kronecker_not_commutative, "L18 Kronecker not commutative"),
        (l18_inverse_jacobian, "L18 d vec(X^-1) = -(X^-T kron X^-1)"),
        (l18_chain_rule_without_the_tensor, "L18 chain rule A^T G_Y B^T"),
        (l18_grad_of_half_frobenius_AWB_minus_C, "L18 grad 1/2||AWB - C||^2"),
        (l18_hessian_in_vec_layout, "L18 Hessian in vec layout"),
    ]
]


@pytest.mark.parametrize(("slug", "fragment", "computed", "stated", "tol"), WORKED_NUMBERS)
def test_worked_number(slug: str, fragment: str, computed, stated, tol) -> None:
    assert fragment in lesson_text(slug), (
        f"lesson {slug} no longer says {fragment!r}; update the check to the new text"
    )
    computed, stated = np.asarray(computed, float), np.asarray(stated, float)
    assert computed.shape == stated.shape or stated.ndim == 0, (computed.shape, stated.shape)
    np.testing.assert_array_less(
        np.abs(computed - stated), np.asarray(tol, float) + 1e-12, err_msg=f"in lesson {slug}"
    )


@pytest.mark.parametrize("identity", IDENTITIES)
def test_identity(identity: Callable[[], tuple[Sequence[float], Sequence[float]]]) -> None:
    stated, measured, *tolerance = identity()
    stated, measured = np.asarray(stated, float), np.asarray(measured, float)
    assert stated.shape == measured.shape, "shape mismatch: a layout error"
    rtol = tolerance[0] if tolerance else 1e-5
    np.testing.assert_allclose(stated, measured, rtol=rtol, atol=1e-6)


def test_every_lesson_has_checks() -> None:
    """Each of the ten lessons has worked numbers and identities in the tables above."""
    slugs = {p.values[0] for p in WORKED_NUMBERS}
    prefixes = {p.id.split()[0] for p in IDENTITIES}
    for slug in (L02, L04, L07, L09, L10, L12, L15, L16, L17, L18):
        assert slug in slugs, slug
        assert f"L{int(slug[:2])}" in prefixes, slug

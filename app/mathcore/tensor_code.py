"""NumPy code for vec-Jacobians and Hessians by a matrix: the matrix, its ``numpy.einsum``
form, and a self-check against central differences.

As in :mod:`app.mathcore.codegen`, the code is generated from our own tree, never from
learner text. Every matrix that the derivative uses is computed once and named
(``t_0``, ``t_1``, …), and so is every subexpression used more than once.
"""

from __future__ import annotations

from app.mathcore.codegen import HELPERS, Writer, numpy_code, python_name, shape_checks
from app.mathcore.differentials import rebuild
from app.mathcore.printing import to_latex, to_text
from app.mathcore.sampling import assign_sizes
from app.mathcore.tensor import (
    Commutation,
    DiagVec,
    Factor,
    Kron,
    LinearMap,
    VecColumn,
    VecRow,
    kronecker_text,
)
from app.mathcore.tensor_derivative import TensorDerivative
from app.mathcore.tensor_index import Entry, IndexForm, Slot
from app.mathcore.tree import (
    Constant,
    Dim,
    Expr,
    Identity,
    Number,
    Ones,
    Symbol,
)
from app.mathcore.variables import Variable

_LEAVES = (Number, Constant, Symbol, Identity, Ones)

_VEC_HELPER = (
    "def vec(M):\n"
    '    """The columns of M stacked into one column (column-major)."""\n'
    '    return np.reshape(M, (-1, 1), order="F")\n'
)
_COMMUTATION_HELPER = (
    "def commutation(rows, cols):\n"
    '    """K with K @ vec(Y) == vec(Y.T) for Y of shape (rows, cols)."""\n'
    "    K = np.zeros((rows * cols, rows * cols))\n"
    "    for i in range(rows):\n"
    "        for j in range(cols):\n"
    "            K[j + cols * i, i + rows * j] = 1.0\n"
    "    return K\n"
)


class _NamedWriter(Writer):
    """A :class:`Writer` that prints named subexpressions by their names."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[Expr, str] = {}
        self.lines: list[str] = []

    def code(self, e: Expr) -> str:
        if e in self.names:
            return self.names[e]
        return super().code(e)

    def name_all(self, roots: list[Expr]) -> None:
        """Name each root that is not a leaf, and each subexpression met twice, children
        first, adding ``t_k = …`` to :attr:`lines`."""
        counts: dict[Expr, int] = {}
        for root in roots:
            for node in root.walk():
                if not isinstance(node, _LEAVES):
                    counts[node] = counts.get(node, 0) + 1
        wanted = {e for e, c in counts.items() if c > 1} | {
            r for r in roots if not isinstance(r, _LEAVES)
        }

        def visit(node: Expr) -> None:
            if node in self.names:
                return
            for child in node.children():
                visit(child)
            if node in wanted:
                self.lines.append(f"    t_{len(self.names)} = {self.code(node)}")
                self.names[node] = f"t_{len(self.names)}"

        for root in roots:
            visit(root)


def _count(shape: tuple[Dim, Dim]) -> str:
    return f"{_dim(shape[0])} * {_dim(shape[1])}"


def _params(variables: dict[str, Variable]) -> str:
    return ", ".join(python_name(n) for n in variables)


def _dim(dim: Dim) -> str:
    return str(dim)


def _scalar(writer: _NamedWriter, expr: Expr) -> str:
    return f"float(np.squeeze({writer.code(expr)}))"


def _scaled(writer: _NamedWriter, coefficient: Expr, body: str) -> str:
    """``body`` times the scalar ``coefficient`` (left out when it is 1)."""
    if isinstance(coefficient, Number) and coefficient.value == 1:
        return body
    return f"{_scalar(writer, coefficient)} * {body}"


def _factor_roots(factor: Factor) -> list[Expr]:
    if isinstance(factor, Kron):
        return [factor.left, factor.right]
    if isinstance(factor, DiagVec):
        return [factor.weight]
    if isinstance(factor, (VecColumn, VecRow)):
        return [factor.matrix]
    return []


def _factor_code(writer: _NamedWriter, factor: Factor, helpers: set[str]) -> str:
    if isinstance(factor, Kron):
        return f"np.kron({writer.code(factor.left)}, {writer.code(factor.right)})"
    if isinstance(factor, Commutation):
        helpers.add("commutation")
        return f"commutation({_dim(factor.rows)}, {_dim(factor.cols)})"
    helpers.add("vec")
    if isinstance(factor, DiagVec):
        return f"np.diag(vec({writer.code(factor.weight)})[:, 0])"
    if isinstance(factor, VecColumn):
        return f"vec({writer.code(factor.matrix)})"
    return f"vec({writer.code(factor.matrix)}).T"


def _map_function(
    linear: LinearMap, name: str, doc: str, variables: dict[str, Variable], helpers: set[str]
) -> list[str]:
    writer = _NamedWriter()
    roots: list[Expr] = []
    for term in linear.terms:
        roots.append(term.coefficient)
        for factor in term.factors:
            roots += _factor_roots(factor)
    writer.name_all(roots)
    rows = _count(linear.target)
    cols = _count(linear.source)
    parts: list[str] = []
    for term in linear.terms:
        factors = [_factor_code(writer, f, helpers) for f in term.factors] or [f"np.eye({cols})"]
        parts.append(_scaled(writer, term.coefficient, "(" + " @ ".join(factors) + ")"))
    helpers |= writer.helpers
    return [
        f"def {name}({_params(variables)}):",
        f'    """{doc}"""',
        *shape_checks(variables),
        *writer.lines,
        f"    jacobian = np.zeros(({rows}, {cols}))",
        *[f"    jacobian = jacobian + {part}" for part in parts],
        "    return jacobian",
    ]


def _helpers(helpers: set[str]) -> list[str]:
    lines: list[str] = []
    for helper in sorted(helpers):
        if helper == "vec":
            lines.append(_VEC_HELPER)
        elif helper == "commutation":
            lines.append(_COMMUTATION_HELPER)
        else:
            lines.append(HELPERS[helper])
    return lines


def matrix_code(
    f: Expr, gradient: Expr | None, tensor: TensorDerivative, variables: dict[str, Variable]
) -> str:
    """``f`` (and ``grad_f`` for a Hessian) and ``jacobian_f`` / ``hessian_f`` returning the
    matrix shown, built from its Kronecker form."""
    if gradient is not None:
        base = numpy_code(
            f, gradient, variables, "grad_f", to_text(f), f"gradient of f: {to_text(gradient)}"
        )
        name = "hessian_f"
        doc = f"Hessian d2f/dvec(X)dvec(X)^T = {kronecker_text(tensor.shown)}"
    else:
        base = _function_only(f, variables)
        name = "jacobian_f"
        doc = f"vec-Jacobian ({tensor.layout} layout) = {kronecker_text(tensor.shown)}"
    helpers: set[str] = set()
    body = _map_function(tensor.shown, name, doc, variables, helpers)
    helpers = {h for h in helpers if f"def {h}(" not in base}
    head, _, rest = base.partition("\n\n")
    return "\n".join([head, "", *_helpers(helpers), rest.rstrip("\n"), "", "", *body]) + "\n"


def _function_only(f: Expr, variables: dict[str, Variable]) -> str:
    writer = Writer()
    body = writer.code(f)
    lines = ["import numpy as np", ""]
    for helper in sorted(writer.helpers):
        lines.append(HELPERS[helper])
    lines += [
        f"def f({_params(variables)}):",
        f'    """F = {to_text(f)}"""',
        *shape_checks(variables),
        f"    value = {body}",
        "    return float(np.squeeze(value))" if f.is_scalar else "    return value",
    ]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------- einsum


def _letters(slots: tuple[Slot, ...]) -> str:
    return "".join(s.letter for s in slots if s is not None)


def _operand(writer: _NamedWriter, entry: Entry) -> tuple[str, str]:
    code = writer.code(entry.matrix)
    if entry.rows is None and entry.cols is not None:
        return f"{code}[0, :]", entry.cols.letter
    if entry.cols is None and entry.rows is not None:
        return f"{code}[:, 0]", entry.rows.letter
    assert entry.rows is not None and entry.cols is not None
    return code, entry.rows.letter + entry.cols.letter


def _einsum_body(form: IndexForm, writer: _NamedWriter) -> list[str]:
    roots: list[Expr] = []
    for term in form.terms:
        roots.append(term.coefficient)
        roots += [e.matrix for e in term.entries]
    writer.name_all(roots)
    output = _letters(form.free)
    shape = ", ".join(_dim(s.size) for s in form.free if s is not None)
    lines = [f"    tensor = np.zeros(({shape}{',' if len(output) == 1 else ''}))"]
    for term in form.terms:
        operands: list[str] = []
        subscripts: list[str] = []
        for entry in term.entries:
            code, letters = _operand(writer, entry)
            operands.append(code)
            subscripts.append(letters)
        for delta in term.deltas:
            operands.append(f"np.eye({_dim(delta.a.size)})")
            subscripts.append(delta.a.letter + delta.b.letter)
        present = set("".join(subscripts))
        for slot in (*form.free, *term.summed):
            if slot is not None and slot.letter not in present:
                operands.append(f"np.ones({_dim(slot.size)})")
                subscripts.append(slot.letter)
        if operands:
            spec = ",".join(subscripts) + "->" + output
            einsum = f'np.einsum("{spec}", {", ".join(operands)}, optimize=True)'
            lines.append(f"    tensor = tensor + {_scaled(writer, term.coefficient, einsum)}")
        else:
            lines.append(f"    tensor = tensor + {_scalar(writer, term.coefficient)}")
    return lines


def einsum_code(tensor: TensorDerivative, variables: dict[str, Variable]) -> str:
    """``d_f_d_X`` returning ``T[i, j, k, l] = ∂F_ij/∂X_kl`` with ``numpy.einsum``, shaped
    F's shape then X's (a vector has one axis, a scalar none)."""
    writer = _NamedWriter()
    body = _einsum_body(tensor.index, writer)
    x = python_name(tensor.wrt.name)
    what = "∂(∇f)_ij/∂X_kl = ∂²f/∂X_ij∂X_kl" if tensor.hessian else "∂F_ij/∂X_kl"
    lines = ["import numpy as np", "", *_helpers(writer.helpers)]
    lines += [
        f"def d_f_d_{x}({_params(variables)}):",
        f'    """T[i, j, k, l] = {what}: {tensor.forms["index"].text}"""',
        *shape_checks(variables),
        *writer.lines,
        *body,
        "    return tensor",
    ]
    return "\n".join(lines) + "\n"


def subexpressions(tensor: TensorDerivative) -> list[tuple[str, str, str]]:
    """The names ``t_0, t_1, …`` of the einsum code with what each stands for, in terms of
    the names before it: (name, LaTeX, text)."""
    writer = _NamedWriter()
    _einsum_body(tensor.index, writer)
    out: list[tuple[str, str, str]] = []
    for expr, name in writer.names.items():

        def visit(node: Expr, top: Expr = expr) -> Expr:
            if node is not top and node in writer.names:
                return Symbol(writer.names[node], node.shape)
            return rebuild(node, visit)

        shown = visit(expr)
        out.append((name, to_latex(shown), to_text(shown)))
    return out


# ------------------------------------------------------------------------------- self-check


def _draw_line(name: str, variable: Variable, sizes: dict[str, int]) -> str:
    rows, cols = (d if isinstance(d, int) else sizes[str(d)] for d in variable.shape)
    pname = python_name(name)
    props = variable.properties
    if "simplex" in props:
        return f"    {pname} = random.uniform(0.2, 1.0, ({rows}, {cols})); {pname} = {pname} / {pname}.sum()"
    if "spd" in props:
        return f"    {pname} = random.uniform(-1, 1, ({rows}, {rows})); {pname} = {pname} @ {pname}.T + {rows} * np.eye({rows})"
    if "diagonal" in props:
        return f"    {pname} = np.diag(random.uniform(0.5, 1.5, {rows}))"
    line = f"    {pname} = random.uniform(0.5, 1.5, ({rows}, {cols}))"
    if "symmetric" in props:
        line += f"; {pname} = ({pname} + {pname}.T) / 2"
    if rows == cols and rows > 1:
        # diagonally dominant: invertible with a positive determinant (for inv, logdet)
        line += f" + {2 * rows} * np.eye({rows})"
    if variable.shape == (1, 1):
        line = f"    {pname} = float(random.uniform(0.5, 1.5))"
    return line


def selfcheck_code(f: Expr, tensor: TensorDerivative, variables: dict[str, Variable]) -> str:
    """``self_check()``: at random inputs, central differences of ``f`` (of ``grad_f`` for a
    Hessian) against ``jacobian_f`` / ``hessian_f`` and the einsum tensor. Paste it beside
    the NumPy and einsum code."""
    sizes = assign_sizes(variables.values())
    x = python_name(tensor.wrt.name)
    target = "grad_f" if tensor.hessian else "f"
    matrix = "hessian_f" if tensor.hessian else "jacobian_f"
    params = _params(variables)
    transpose = ".T" if tensor.layout == "denominator" and not tensor.hessian else ""
    lines = [
        "def self_check(seed=0, step_size=1e-6, tolerance=1e-5):",
        f'    """Compare {matrix} and d_f_d_{x} with central differences of {target} by {x}'
        ' at random inputs: the relative error, or AssertionError past tolerance."""',
        "    random = np.random.default_rng(seed)",
        *[_draw_line(name, v, sizes) for name, v in variables.items()],
        f"    def vec_at({x}):",
        f"        value = np.asarray({target}({params}), dtype=float)",
        '        return np.reshape(value, (-1, 1), order="F")',
        f"    centre = np.asarray({x}, dtype=float)",
        "    columns = []",
        "    for entry in range(centre.size):  # the entries of vec(X), column by column",
        "        nudge = np.zeros(centre.size)",
        "        nudge[entry] = step_size",
        '        nudge = np.reshape(nudge, centre.shape, order="F")',
        "        columns.append((vec_at(centre + nudge) - vec_at(centre - nudge)) / (2 * step_size))",
        "    numeric = np.hstack(columns)",
        f"    shown = {matrix}({params}){transpose}",
        f'    from_einsum = np.reshape(d_f_d_{x}({params}), numeric.shape, order="F")',
        "    scale = max(1.0, float(np.abs(numeric).max()))",
        "    error = max(float(np.abs(shown - numeric).max()), float(np.abs(from_einsum - numeric).max()))",
        '    assert error <= tolerance * scale, f"differs from central differences by {error:.2e}"',
        "    return error / scale",
    ]
    return "\n".join(lines) + "\n"

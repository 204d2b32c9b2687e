"""From a syntax tree to a typed tree: names, functions and shapes.

This is where `2 x` becomes a product, `A^T` a transpose, `e^x` an exponential, and
where an undeclared ``x`` gets the shape ``n×1`` with ``n`` found by unification.
Every mistake is reported with the offset of the construct that caused it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from fractions import Fraction
from functools import partial

from app.mathcore import build
from app.mathcore.errors import AmbiguousName, MathError, ParseError, ShapeError, UnsupportedError
from app.mathcore.notation import UNICODE_GREEK
from app.mathcore.printing import GREEK, GREEK_SET, to_text
from app.mathcore.shapes import DimVar, ShapeConflict, display_shape, resolve_dim, unify
from app.mathcore.syntax import SNode
from app.mathcore.tree import (
    ELEMENTWISE_FUNCTIONS,
    Constant,
    Differential,
    Differentiate,
    Dim,
    Expr,
    Identity,
    Number,
    Ones,
    Shape,
    Symbol,
)
from app.mathcore.variables import MAX_DECLARED_SIZE, NAME_PATTERN, Variable, conventional_rank

FUNCTION_ALIASES = {"trace": "tr", "Tr": "tr", "ln": "log", "sigma": "sigmoid"}
WHOLE_ARRAY_FUNCTIONS = {"tr", "det", "logdet", "sum", "norm", "softmax", "logsumexp", "diag"}
SPECIAL_FUNCTIONS = {"inv", "transpose", "hadamard"}
SIZED_ARRAYS = {"ones", "zeros"}
"""``ones(n)``, ``ones(m, n)``, ``zeros(n)``: arrays given by their sizes, not their entries."""
KNOWN_FUNCTIONS = ELEMENTWISE_FUNCTIONS | WHOLE_ARRAY_FUNCTIONS | SPECIAL_FUNCTIONS | SIZED_ARRAYS
TRANSPOSE_MARKS = {"T", "\\top", "\\intercal", "\\mathsf{T}", "⊤"}
_LATEX_WRAPPERS = ("\\operatorname{", "\\mathrm{", "\\text{", "\\mathop{")
_NAME_WRAPPERS = ("\\mathbf{", "\\boldsymbol{", "\\bm{", "\\vec{", "\\mathit{", "\\mathrm{")
MAX_SPLITS = 2
"""Enough to tell one reading of run-together letters from several."""
CONVENTIONAL_RUN = re.compile(r"[A-Z]+[a-df-z]?")
"""Letters that, with nothing declared, read as a product: matrices then at most one vector
(``Ax``, ``Xw``, ``ABx``); never a trailing ``e``, which would be the constant."""
DIMENSION_LABELS = ["n", "m", "p", "q", "k", "r", "s", "t", "u", "v", "w"]


def _unwrap(node: SNode) -> SNode:
    while node.kind == "group":
        node = node.children[0]
    return node


def _names(root: SNode) -> set[str]:
    stack, found = [root], set()
    while stack:
        node = stack.pop()
        if node.kind == "name":
            found.add(node.text)
        stack.extend(node.children)
    return found


def _is_one(node: SNode) -> bool:
    node = _unwrap(node)
    return node.kind == "number" and node.text == "1"


_MULTIPLY = frozenset({"", "*", "@", "·", "×", "\\cdot", "\\times"})
"""The operators of a matrix product, written or implied."""


class Elaborator:
    """Gives meaning to one syntax tree; see :func:`elaborate`."""

    def __init__(self, declared: dict[str, Variable], root: SNode, text: str = "") -> None:
        self.declared = declared
        self.text = text
        self.readings: list[tuple[int, int, str]] = []
        """(start, end, reading) for each run of letters read as a product, in ``text``."""
        self.shapes: dict[str, Shape] = {}
        self.names_in_text = _names(root)
        used = {d for v in declared.values() for d in v.shape if isinstance(d, str)}
        self.labels = [label for label in DIMENSION_LABELS if label not in used]
        self.label_count = 0
        self.literal_depth = 0

    # ----------------------------------------------------------------- names and shapes

    def size(self, node: SNode) -> Dim:
        """A size written by the learner: a name (``n``) or a whole number (``3``)."""
        node = _unwrap(node)
        if node.kind == "name" and NAME_PATTERN.fullmatch(node.text):
            return node.text
        if node.kind == "number" and node.text.isdigit():
            value = int(node.text)
            if 1 <= value <= MAX_DECLARED_SIZE:
                return value
            raise ParseError(
                f"sizes go from 1 to {MAX_DECLARED_SIZE}: write a size such as 3", node.pos
            )
        raise ParseError("a size is a name or a whole number: write ones(n) or ones(3)", node.pos)

    def ones(self, sizes: tuple[SNode, ...], zero: bool, node: SNode) -> Expr:
        """The all-ones array (or the zero array) of the written sizes; a column by default."""
        dims = [self.size(child) for child in sizes]
        if len(dims) > 2:
            raise ParseError(
                f"an array has one or two sizes, not {len(dims)}: write ones(n) or ones(m, n)",
                node.pos,
            )
        shape: Shape
        if not dims:
            shape = (self.fresh_dim(), 1)
        elif len(dims) == 1:
            shape = (dims[0], 1)
        else:
            shape = (dims[0], dims[1])
        ones = Ones(shape)
        return build.multiply(build.ZERO, ones) if zero else ones

    def ones_row(self) -> Expr:
        """``1^T``: the transpose of the number 1 is the all-ones row, never the number 1."""
        return Ones((1, self.fresh_dim()))

    def fresh_dim(self) -> DimVar:
        index = self.label_count
        self.label_count += 1
        label = self.labels[index] if index < len(self.labels) else f"n{index}"
        return DimVar(label)

    def variable_shape(self, name: str) -> Shape:
        if name in self.declared:
            return self.declared[name].shape
        if name not in self.shapes:
            # inside a matrix literal, undeclared names are its scalar entries
            rank = 0 if self.literal_depth else conventional_rank(name)
            if rank == 0:
                self.shapes[name] = (1, 1)
            elif rank == 1:
                self.shapes[name] = (self.fresh_dim(), 1)
            else:
                self.shapes[name] = (self.fresh_dim(), self.fresh_dim())
        return self.shapes[name]

    def name(self, node: SNode) -> Expr:
        text = node.text
        if text.startswith("\\"):
            wrapped = next((w for w in _NAME_WRAPPERS if text.startswith(w)), None)
            if wrapped:
                text = text[len(wrapped) : -1]
            elif text == "\\pi":
                return Constant("pi")
            elif text in TRANSPOSE_MARKS:
                raise ParseError(
                    f"'{text}' is a transpose: write it as an exponent, A^{text}", node.pos
                )
            elif text[1:] in GREEK_SET or text[1:] == "varepsilon":
                text = "epsilon" if text == "\\varepsilon" else text[1:]
            else:
                raise ParseError(
                    f"unknown LaTeX command '{text}': write it in plain text (sqrt(x), x^T, "
                    "x .* y) or use \\frac, \\cdot, \\sqrt, \\top or a Greek letter",
                    node.pos,
                )
        text = UNICODE_GREEK.get(text, text)
        text = self.declared_spelling(text)
        if text not in self.declared:
            if text in {"e", "pi"}:
                return Constant(text)
            if text == "I":
                return Identity(self.fresh_dim())
            sized = re.fullmatch(r"I_([A-Za-z][A-Za-z0-9]*|[0-9]+)", text)
            if sized:  # I_n, I_3: the identity of that size
                return Identity(
                    self.size(SNode("number" if sized[1].isdigit() else "name", node.pos, sized[1]))
                )
            # `sigma` alone is a scalar name; `sigma(z)` is the sigmoid
            if text in KNOWN_FUNCTIONS or text in {"trace", "ln"}:
                raise ParseError(f"'{text}' is a function: write {text}(…)", node.pos)
            base = text[1:]
            if (
                len(text) > 1
                and text[0] == "d"
                and (base in self.declared or base in self.names_in_text)
            ):
                return Differential(base, self.variable_shape(base))
            parts = self.split(text, node.pos)
            if parts:
                self.readings.append((node.pos, node.pos + len(node.text), " ".join(parts)))
                return self.product_of(parts, node.pos)
        return Symbol(text, self.variable_shape(text))

    def transpose_run(self, node: SNode) -> SNode | None:
        """``x^TAx`` as ``x^T A x``: an exponent ``T`` run into the next names.

        Only an unbraced exponent that is not a declared name counts; the rest (``Ax``) must
        be a declared name or read as one (split, with nothing declared, as ``A x``).
        """
        base, exponent = node.children
        head, rest_power = exponent, None
        if exponent.kind == "binary" and exponent.text in {"^", "**"}:
            head, rest_power = exponent.children
        if head.kind != "name" or len(head.text) < 2 or head.text[0] != "T":
            return None
        if head.text in self.declared or not NAME_PATTERN.fullmatch(head.text):
            return None
        rest = head.text[1:]
        if rest in KNOWN_FUNCTIONS:
            return None
        declared = rest in self.declared or self.declared_spelling(rest) in self.declared
        parts = None if declared else self.split(rest, head.pos + 1)
        if not (declared or parts or not self.declared):
            return None
        rest_node = SNode("name", head.pos + 1, rest)
        if rest_power is not None:
            rest_node = SNode("binary", exponent.pos, exponent.text, (rest_node, rest_power))
        transposed = SNode("postfix", head.pos, "'", (base,))
        shown = " ".join(parts) if parts else rest
        reading = f"{self.text[base.pos : node.pos].strip() or 'the base'}^T {shown}"
        self.readings.append((base.pos, head.pos + len(head.text), reading))
        return SNode(
            "chain",
            base.pos,
            "multiplicative",
            (transposed, SNode("op", head.pos + 1, ""), rest_node),
        )

    def split(self, name: str, position: int) -> list[str] | None:
        """The names that the letters ``name`` run together, or None to read it as one name.

        With declarations, only a split into declared names counts, and more than one is a
        question (:class:`AmbiguousName`); with none, a run of capitals and at most one
        final small letter (``Ax``, ``Xw``) is a product, as a learner writing ``2Ax`` means.
        """
        if len(name) < 2 or name in self.declared or name.split("_")[0] in GREEK_SET:
            return None
        if not self.declared:
            return list(name) if CONVENTIONAL_RUN.fullmatch(name) else None
        splits = _splits(name, set(self.declared))
        if not splits:
            return None
        if len(splits) > 1:
            options = [" ".join(s) for s in splits]
            raise AmbiguousName(
                f"'{name}' could be {' or '.join(options)}: did you mean `{options[0]}`? "
                "Put spaces between names to say which",
                position,
                options,
            )
        return splits[0]

    def product_of(self, parts: list[str], position: int) -> Expr:
        """``X w`` for the parts ``["X", "w"]``, each at its own offset for messages."""
        offset = position
        result: Expr | None = None
        for part in parts:
            factor = self.name(SNode("name", offset, part))
            if result is None:
                result = factor
            else:
                left = result
                result = self._checked(
                    partial(build.multiply, left, factor),
                    SNode("op", offset, ""),
                    "multiply",
                    left,
                    factor,
                )
            offset += len(part)
        assert result is not None
        return result

    def declared_spelling(self, name: str) -> str:
        """``x_1`` for a declared ``x1`` and ``x1`` for a declared ``x_1``: a subscript written
        either way means the declared name."""
        if name in self.declared:
            return name
        match = re.fullmatch(r"([A-Za-z]+)(_?)([0-9]+)", name)
        if match:
            other = match[1] + ("" if match[2] else "_") + match[3]
            if other in self.declared:
                return other
        return name

    # ----------------------------------------------------------------- the tree

    def expr(self, node: SNode) -> Expr:
        handler: Callable[[SNode], Expr] = getattr(self, "_" + node.kind)
        try:
            return handler(node)
        except MathError as error:
            if error.position is None:
                error.position = node.pos
            raise

    def _ones(self, node: SNode) -> Expr:
        return self.ones(node.children, node.text == "0", node)

    def _number(self, node: SNode) -> Expr:
        mantissa, _, exponent = node.text.lower().partition("e")
        value = Fraction(mantissa.rstrip(".") or "0")
        if exponent:
            value *= Fraction(10) ** int(exponent)
        return Number(value)

    def _name(self, node: SNode) -> Expr:
        return self.name(node)

    def _group(self, node: SNode) -> Expr:
        return self.expr(node.children[0])

    def _unary(self, node: SNode) -> Expr:
        operand = self.expr(node.children[0])
        return operand if node.text == "+" else build.negate(operand)

    def _postfix(self, node: SNode) -> Expr:
        if node.text not in {"⁻¹", "²", "³"} and _is_one(node.children[0]):
            return self.ones_row()
        operand = self.expr(node.children[0])
        if node.text in {"⁻¹"}:
            return self._checked(lambda: build.inverse(operand), node, "invert", operand)
        if node.text in {"²", "³"}:
            exponent = Number(Fraction(2 if node.text == "²" else 3))
            return self._power(operand, exponent, node)
        return build.transpose(operand)

    def _frac(self, node: SNode) -> Expr:
        top_node, bottom_node = node.children
        top = self.expr(top_node)
        if bottom_node.kind != "chain" or any(
            op.text not in _MULTIPLY for op in bottom_node.children[1::2]
        ):
            return self._divide(top, self.expr(bottom_node), node)
        # \frac{a}{b c} with scalar factors is a / b / c, in the order written, as the
        # text a / b / c reads: the bracketed (x^T A x) in \frac{a}{(x^T A x) \alpha} stays
        # one divisor instead of merging with alpha into one product
        factors = self._operands(bottom_node)
        if all(build.scalar(factor) for factor in factors):
            for factor in factors:
                top = self._divide(top, factor, node)
            return top
        return self._divide(top, self._fold(bottom_node, factors), node)

    def _divide(self, top: Expr, bottom: Expr, node: SNode) -> Expr:
        if not build.scalar(bottom):
            raise ShapeError(
                f"'/' divides by a scalar only, and {to_text(bottom)} is "
                f"{display_shape(bottom.shape)}: use inv(…) for a matrix inverse or ./ "
                "for elementwise division",
                node.pos,
            )
        return build.divide(top, bottom)

    def _chain(self, node: SNode) -> Expr:
        """A flat run ``a op b op c …``, combined left to right without recursion."""
        if node.text == "additive":
            return self._sum(node)
        return self._fold(node, self._operands(node))

    def _operands(self, node: SNode) -> list[Expr]:
        """The operands of a flat run, each read on its own."""
        previous = node.children[0]
        for marker, operand in zip(node.children[1::2], node.children[2::2], strict=True):
            if marker.text == "" and previous.kind == "number" and operand.kind == "number":
                raise ParseError(
                    "two numbers side by side: write * to multiply them, or separate the "
                    "entries of a matrix with commas",
                    operand.pos,
                )
            previous = operand
        return [self.expr(operand) for operand in node.children[0::2]]

    def _fold(self, node: SNode, operands: list[Expr]) -> Expr:
        """Operands of a flat run combined left to right, each error at its operator."""
        result = operands[0]
        for marker, right in zip(node.children[1::2], operands[1:], strict=True):
            try:
                result = self._combine(marker.text, result, right, marker)
            except MathError as error:
                if error.position is None:
                    error.position = marker.pos
                raise
        return result

    def _sum(self, node: SNode) -> Expr:
        """``a + b - c + …`` built once from all its terms, so a long sum costs linear time;
        shapes are checked term by term to name the ``+`` or ``-`` where they conflict."""
        terms = [self.expr(node.children[0])]
        shape: Shape | None = None if build.scalar(terms[0]) else terms[0].shape
        for marker, operand in zip(node.children[1::2], node.children[2::2], strict=True):
            right = self.expr(operand)
            if not build.scalar(right):
                try:
                    if shape is None:
                        shape = right.shape
                    else:
                        unify(shape[0], right.shape[0])
                        unify(shape[1], right.shape[1])
                except ShapeConflict:
                    message = self._conflict_message("add", build.add(*terms), right)
                    raise ShapeError(message, marker.pos) from None
            terms.append(right if marker.text == "+" else build.negate(right))
        return build.add(*terms)

    def _binary(self, node: SNode) -> Expr:
        """``^``, ``**`` and ``.^``: powers, transposes (``A^T``) and inverses (``A^{-1}``)."""
        op = node.text
        left_node, right_node = node.children
        if op in {"^", "**"}:
            run_on = self.transpose_run(node)
            if run_on is not None:
                outer = self.readings[-1]
                expr = self.expr(run_on)
                # one reading for the whole run: x^TAx as x^T A x, not also Ax as A x
                self.readings = [r for r in self.readings if r is outer or not _inside(r, outer)]
                return expr
            exponent = _unwrap(right_node)
            if exponent.kind == "name" and exponent.text in TRANSPOSE_MARKS:
                if _is_one(left_node):
                    return self.ones_row()
                return build.transpose(self.expr(left_node))
            if (
                exponent.kind == "unary"
                and exponent.text in {"-", "−"}
                and _unwrap(exponent.children[0]).kind == "name"
                and _unwrap(exponent.children[0]).text in TRANSPOSE_MARKS
            ):
                base = self.expr(left_node)
                inverse = self._checked(lambda: build.inverse(base), node, "invert", base)
                return build.transpose(inverse)
        left = self.expr(left_node)
        right = self.expr(right_node)
        if op == ".^":
            if not build.scalar(right):
                raise ShapeError(
                    f"the exponent of .^ must be a scalar, not {display_shape(right.shape)}",
                    node.pos,
                )
            if isinstance(left, Constant) and left.name == "e":
                return build.apply("exp", right)
            return build.element_power(left, right)
        if isinstance(left, Constant) and left.name == "e":
            return build.apply("exp", right)
        return self._power(left, right, node)

    def _combine(self, op: str, left: Expr, right: Expr, node: SNode) -> Expr:
        if op in {"+", "-", "−"}:
            combine = build.add if op == "+" else build.subtract
            return self._checked(lambda: combine(left, right), node, "add", left, right)
        if op in _MULTIPLY:
            return self._checked(lambda: build.multiply(left, right), node, "multiply", left, right)
        if op == "/":
            return self._divide(left, right, node)
        if op in {".*", "⊙", "∘", "\\odot", "\\circ"}:
            return self._checked(
                lambda: build.hadamard(left, right), node, "elementwise", left, right
            )
        if op == "./":
            return self._checked(lambda: build.quotient(left, right), node, "divide", left, right)
        raise ParseError(f"unknown operator '{op}'", node.pos)

    def _power(self, base: Expr, exponent: Expr, node: SNode) -> Expr:
        if not build.scalar(exponent):
            raise ShapeError(
                f"an exponent must be a scalar, and {to_text(exponent)} is "
                f"{display_shape(exponent.shape)}",
                node.pos,
            )
        if build.scalar(base):
            return build.power(base, exponent)
        shape = display_shape(base.shape)
        if resolve_dim(base.shape[1]) == 1 or resolve_dim(base.shape[0]) == 1:
            raise ShapeError(
                f"{to_text(base)} is a vector ({shape}), so it has no powers: use "
                f"{to_text(base)}.^{to_text(exponent)} for entrywise powers or "
                f"{to_text(base)}^T {to_text(base)} for the squared length",
                node.pos,
            )
        if not (isinstance(exponent, Number) and exponent.value.denominator == 1):
            raise UnsupportedError(
                "a matrix can only be raised to an integer power; use .^ for entrywise powers",
                node.pos,
            )
        return self._checked(lambda: build.power(base, exponent), node, "power", base)

    def _checked(
        self,
        make: Callable[[], Expr],
        node: SNode,
        verb: str,
        left: Expr,
        right: Expr | None = None,
    ) -> Expr:
        try:
            return make()
        except ShapeConflict:
            raise ShapeError(self._conflict_message(verb, left, right), node.pos) from None

    @staticmethod
    def _conflict_message(verb: str, left: Expr, right: Expr | None) -> str:
        a = f"{to_text(left)} ({display_shape(left.shape)})"
        if right is None:
            if verb == "invert":
                return f"cannot invert {a}: only square matrices have inverses"
            return f"cannot raise {a} to a power: it is not square"
        b = f"{to_text(right)} ({display_shape(right.shape)})"
        if verb == "multiply":
            if _column(left) and _column(right):
                return (
                    f"cannot multiply {a} by {b}: for the inner product write "
                    f"{to_text(build.transpose(left))} {to_text(right)}, entry by entry "
                    f"{to_text(left)} .* {to_text(right)}"
                )
            return f"cannot multiply {a} by {b}"
        if verb == "add":
            return f"cannot add {a} and {b}: the shapes differ"
        if verb == "elementwise":
            return f"an elementwise product needs equal shapes: {a} and {b}"
        return f"elementwise division needs equal shapes: {a} and {b}"

    def _call(self, node: SNode) -> Expr:
        raw = node.text
        wrapper = next((w for w in _LATEX_WRAPPERS if raw.startswith(w)), None)
        name = raw[len(wrapper) : -1] if wrapper else raw.lstrip("\\")
        name = UNICODE_GREEK.get(name, name)
        if raw == "\\sigma" and "sigma" in self.declared:
            # in a paper σ(z) is the sigmoid; with σ declared it may be σ times (z)
            raise AmbiguousName(
                "σ(…) could be the sigmoid or the declared σ times (…): did you mean "
                "`sigmoid(…)`? For the product write `sigma (…)` or `\\sigma \\cdot (…)`",
                node.pos,
                ["sigmoid(…)", "sigma (…)"],
            )
        if name in self.declared or name not in KNOWN_FUNCTIONS | set(FUNCTION_ALIASES):
            return self._call_of_unknown(node, name)
        name = FUNCTION_ALIASES.get(name, name)
        if name in SIZED_ARRAYS:
            return self.ones(node.children, name == "zeros", node)
        args = [self.expr(child) for child in node.children]
        if name == "hadamard":
            if len(args) < 2:
                raise ParseError("hadamard(a, b) takes two or more arguments", node.pos)
            return self._checked(
                lambda: build.hadamard(*args), node, "elementwise", args[0], args[1]
            )
        if len(args) != 1:
            raise ParseError(
                f"{name} takes one argument, not {len(args)}: write {name}(x)", node.pos
            )
        (arg,) = args
        if name == "inv":
            return self._checked(lambda: build.inverse(arg), node, "invert", arg)
        if name == "transpose":
            return build.transpose(arg)
        if name in ELEMENTWISE_FUNCTIONS:
            return build.apply(name, arg)
        return self._whole_array(name, arg, node)

    def _whole_array(self, name: str, arg: Expr, node: SNode, index: str = "") -> Expr:
        shape = display_shape(arg.shape)
        if (
            name == "norm"
            and index == "2"
            and not (resolve_dim(arg.shape[0]) == 1 or resolve_dim(arg.shape[1]) == 1)
        ):
            raise UnsupportedError(
                "the spectral norm of a matrix is not supported; ‖X‖_F is the Frobenius norm",
                node.pos,
            )
        try:
            return build.call(name, arg)
        except ShapeConflict:
            needs = {
                "tr": "a square matrix",
                "det": "a square matrix",
                "logdet": "a square matrix",
                "softmax": "a column vector",
                "logsumexp": "a column vector",
                "diag": "a vector or a square matrix",
            }.get(name, "another shape")
            raise ShapeError(
                f"{name} needs {needs}, and {to_text(arg)} is {shape}", node.pos
            ) from None

    def _call_of_unknown(self, node: SNode, name: str) -> Expr:
        if name == "d" and "d" not in self.declared:
            if len(node.children) != 1:
                raise ParseError("d(…) takes one expression", node.pos)
            return Differentiate(self.expr(node.children[0]))
        parts = None if name in self.declared or node.spaced else self.split(name, node.pos)
        if parts and len(node.children) == 1:  # AB(x + y): the product A B (x + y)
            self.readings.append((node.pos, node.pos + len(name), " ".join(parts)))
            factor = self.product_of(parts, node.pos)
            argument = self.expr(node.children[0])
            return self._checked(
                lambda: build.multiply(factor, argument), node, "multiply", factor, argument
            )
        plain_name = (
            name in self.declared
            or len(name) == 1
            or name.split("_")[0].rstrip("0123456789") in GREEK_SET
            or node.spaced
        )
        if not plain_name:
            known = ", ".join(sorted(KNOWN_FUNCTIONS))
            raise ParseError(f"unknown function '{name}'; the functions are {known}", node.pos)
        if len(node.children) != 1:
            raise ParseError(
                f"'{name}' is a variable, not a function of several arguments: write "
                f"{name} * (…) for a product",
                node.pos,
            )
        factor = self.name(SNode("name", node.pos, name))
        argument = self.expr(node.children[0])
        return self._checked(
            lambda: build.multiply(factor, argument), node, "multiply", factor, argument
        )

    def _norm(self, node: SNode) -> Expr:
        arg = self.expr(node.children[0])
        index = node.text.upper() if node.text in {"f", "F"} else node.text
        if index not in {"", "2", "F"}:
            raise UnsupportedError(
                f"the norm index '{node.text}' is not supported; use _2 or _F", node.pos
            )
        return self._whole_array("norm", arg, node, index)

    def _matrix(self, node: SNode) -> Expr:
        rows = [list(row.children) for row in node.children]
        if len(rows) == 1 and all(
            entry.kind == "matrix" and len(entry.children) == 1 for entry in rows[0]
        ):
            rows = [list(entry.children[0].children) for entry in rows[0]]
        elif len(rows) == 1:
            rows = [[entry] for entry in rows[0]]
        self.literal_depth += 1
        try:
            typed = [[self.expr(entry) for entry in row] for row in rows]
        finally:
            self.literal_depth -= 1
        width = len(typed[0])
        for row_nodes, row in zip(rows, typed, strict=True):
            if len(row) != width:
                raise ShapeError(
                    f"every row of a matrix needs {width} entries; this one has {len(row)}",
                    row_nodes[0].pos,
                )
            for entry_node, entry in zip(row_nodes, row, strict=True):
                if not build.scalar(entry):
                    raise ShapeError(
                        f"entries of a matrix literal must be scalars; {to_text(entry)} is "
                        f"{display_shape(entry.shape)}",
                        entry_node.pos,
                    )
        return build.matrix_literal(typed)


def _column(expr: Expr) -> bool:
    rows, cols = (resolve_dim(d) for d in expr.shape)
    return cols == 1 and rows != 1


def _inside(inner: tuple[int, int, str], outer: tuple[int, int, str]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _splits(name: str, names: set[str]) -> list[list[str]]:
    """The ways (at most MAX_SPLITS) to cut ``name`` into two or more of ``names``."""
    found: list[list[str]] = []
    stack: list[tuple[int, list[str]]] = [(0, [])]
    while stack and len(found) < MAX_SPLITS:
        start, parts = stack.pop()
        if start == len(name):
            if len(parts) > 1:
                found.append(parts)
            continue
        for end in range(start + 1, len(name) + 1):  # the longest is popped, so tried, first
            if name[start:end] in names:
                stack.append((end, [*parts, name[start:end]]))
    return found


def _concrete(dim: Dim, names: dict[int, str]) -> Dim:
    resolved = resolve_dim(dim)
    if isinstance(resolved, DimVar):
        return names[id(resolved)]
    return resolved


def finish(expr: Expr, declared: dict[str, Variable]) -> tuple[Expr, dict[str, Variable]]:
    """Replace unknown dimensions by names (n, m, p, … in order of appearance)."""
    names: dict[int, str] = {}
    used = {d for v in declared.values() for d in v.shape if isinstance(d, str)}
    for node in expr.walk():
        # sizes written in the text, as in ones(n), are taken too
        used.update(d for d in map(resolve_dim, node.shape) if isinstance(d, str))
    pool = iter(
        [label for label in DIMENSION_LABELS if label not in used]
        + [f"n{i}" for i in range(1, 200)]
    )

    def visit_dim(dim: Dim) -> None:
        resolved = resolve_dim(dim)
        if isinstance(resolved, DimVar) and id(resolved) not in names:
            names[id(resolved)] = next(pool)

    for node in expr.walk():
        for dim in node.shape:
            visit_dim(dim)
    concrete = _map_dims(expr, lambda d: _concrete(d, names))
    variables: dict[str, Variable] = {}
    for node in concrete.walk():
        if isinstance(node, (Symbol, Differential)) and node.name not in variables:
            properties = declared[node.name].properties if node.name in declared else frozenset()
            variables[node.name] = Variable(node.name, node.dims, properties)
    return concrete, variables


def _map_dims(expr: Expr, convert: Callable[[Dim], Dim]) -> Expr:
    """Rebuild ``expr`` with every dimension passed through ``convert``."""
    changes: dict[str, object] = {}
    for item in dataclasses.fields(expr):
        value = getattr(expr, item.name)
        if isinstance(value, Expr):
            changes[item.name] = _map_dims(value, convert)
        elif item.name in {"dims"}:
            changes[item.name] = (convert(value[0]), convert(value[1]))
        elif item.name == "size":
            changes[item.name] = convert(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Expr):
            changes[item.name] = tuple(_map_dims(v, convert) for v in value)
        elif isinstance(value, tuple) and value and isinstance(value[0], tuple):
            changes[item.name] = tuple(tuple(_map_dims(v, convert) for v in row) for row in value)
    return dataclasses.replace(expr, **changes)


__all__ = ["Elaborator", "finish", "GREEK"]

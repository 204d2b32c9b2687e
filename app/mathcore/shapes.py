"""Dimensions and their unification.

While an expression is read, the sizes of undeclared variables are unknown: each is a
:class:`DimVar`, and every operator that needs two sizes to agree unifies them
(union-find). Declared sizes (``"n"``, ``3``) are rigid: two different ones never merge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.mathcore.tree import Dim, Shape


class ShapeConflict(Exception):
    """Two dimensions that must agree do not; the caller names the operator."""


class DimVar:
    """An unknown dimension. ``label`` is how it prints before it is resolved."""

    __slots__ = ("parent", "value", "label", "may_be_one")

    def __init__(self, label: str, value: Dim | None = None, may_be_one: bool = False) -> None:
        self.parent: DimVar | None = None
        self.value = value
        self.label = label
        self.may_be_one = may_be_one

    def find(self) -> DimVar:
        root = self
        while root.parent is not None:
            root = root.parent
        node = self
        while node.parent is not None and node.parent is not root:
            node.parent, node = root, node.parent
        return root

    def __repr__(self) -> str:
        return f"DimVar({display_dim(self)})"


def resolve_dim(dim: Dim) -> Dim:
    """The fixed value of ``dim`` if it has one, else its representative variable."""
    if isinstance(dim, DimVar):
        root = dim.find()
        return root.value if root.value is not None else root
    return dim


def display_dim(dim: Dim) -> str:
    resolved = resolve_dim(dim)
    return resolved.label if isinstance(resolved, DimVar) else str(resolved)


def display_shape(shape: tuple[Dim, Dim]) -> str:
    return f"{display_dim(shape[0])}×{display_dim(shape[1])}"


def dims_equal(a: Dim, b: Dim) -> bool:
    ra, rb = resolve_dim(a), resolve_dim(b)
    return ra is rb if isinstance(ra, DimVar) or isinstance(rb, DimVar) else ra == rb


def unify(a: Dim, b: Dim) -> None:
    """Make ``a`` and ``b`` the same dimension, or raise :class:`ShapeConflict`."""
    ra, rb = resolve_dim(a), resolve_dim(b)
    if isinstance(ra, DimVar) and isinstance(rb, DimVar):
        if ra is not rb:
            rb.parent = ra
            ra.may_be_one = ra.may_be_one and rb.may_be_one
        return
    if isinstance(ra, DimVar) or isinstance(rb, DimVar):
        var, fixed = (ra, rb) if isinstance(ra, DimVar) else (rb, ra)
        assert isinstance(var, DimVar) and not isinstance(fixed, DimVar)
        if fixed == 1 and not var.may_be_one:
            raise ShapeConflict
        var.value = fixed
        return
    if ra != rb:
        raise ShapeConflict


def is_one(dim: Dim) -> bool:
    return resolve_dim(dim) == 1


def shape_is_scalar(shape: tuple[Dim, Dim]) -> bool:
    return is_one(shape[0]) and is_one(shape[1])


def concrete_shape(shape: tuple[Dim, Dim]) -> Shape:
    """Replace resolved variables by their values; unresolved ones keep their labels."""
    out: list[Dim] = []
    for dim in shape:
        resolved = resolve_dim(dim)
        out.append(resolved.label if isinstance(resolved, DimVar) else resolved)
    return (out[0], out[1])

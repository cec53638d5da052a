"""AHP weights: pairwise comparisons, principal eigenvector, consistency ratio."""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from frictionkit._protocol import Result
from frictionkit.exceptions import (
    AHPInconsistencyWarning,
    InputTypeError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from frictionkit.weights._direct import FloatArray, _as_names, _series

#: Named random-index tables ``RI(n)`` for the AHP consistency ratio, index ``n - 1``.
#:
#: - ``"saaty"``: Saaty, *The Analytic Hierarchy Process* (McGraw-Hill, 1980), the average
#:   consistency index of random reciprocal matrices, n = 1..15 (values for n = 11..15
#:   from the same book's extended table).
#: - ``"alonso_lamata"``: Alonso and Lamata, "Consistency in the analytic hierarchy process:
#:   a new approach", *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4),
#:   445-459 (2006), Table 2, from 100,000 random matrices per size, n = 1..15.
# fmt: off
RANDOM_INDEX: Mapping[str, tuple[float, ...]] = {
    "saaty": (
        0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49,
        1.51, 1.48, 1.56, 1.57, 1.59,
    ),
    "alonso_lamata": (
        0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
        1.5141, 1.5365, 1.5551, 1.5713, 1.5838,
    ),
}
# fmt: on

#: Saaty's threshold on the consistency ratio above which judgements should be revised.
CR_THRESHOLD = 0.10

# Relative tolerance on a_ij * a_ji == 1: published matrices often round 1/3 to 0.33.
_RECIPROCAL_RTOL = 0.02


# ---------------------------------------------------------------------------------------
# AHP


@attrs.frozen(kw_only=True, repr=False)
class AHPResult(Result):
    """The outcome of :func:`ahp`.

    Attributes
    ----------
    weights : numpy.ndarray or pandas.Series
        The principal eigenvector, summing to 1 (a Series when criteria are named).
    lambda_max : float
        The principal eigenvalue (``>= n``; ``= n`` for a consistent matrix).
    ci : float
        Consistency index ``(lambda_max - n) / (n - 1)`` (0 for ``n <= 2``).
    cr : float
        Consistency ratio ``ci / random_index`` (0 for ``n <= 2``).
    random_index : float
        ``RI(n)`` from the table named by ``table``.
    table : str
        The random-index table used (a key of :data:`RANDOM_INDEX`).
    matrix : numpy.ndarray
        The complete reciprocal pairwise matrix that was analysed.
    """

    weights: FloatArray | pd.Series = attrs.field(eq=False)
    lambda_max: float
    ci: float
    cr: float
    random_index: float
    table: str
    matrix: FloatArray = attrs.field(eq=False, repr=False)

    @property
    def consistent(self) -> bool:
        """Whether ``cr <= 0.10`` (Saaty's rule of thumb)."""
        return self.cr <= CR_THRESHOLD

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: ``criterion`` (its name, or its position) and ``weight``.

        Examples
        --------
        >>> ahp([[1, 3], [1 / 3, 1]], criteria=["cost", "speed"]).to_frame()
          criterion  weight
        0      cost    0.75
        1     speed    0.25
        """
        w = self.weights
        names = list(w.index) if isinstance(w, pd.Series) else list(range(len(w)))
        return pd.DataFrame({"criterion": names, "weight": np.asarray(w, dtype=np.float64)})

    def _repr_body(self) -> str:
        w = np.asarray(self.weights, dtype=np.float64)
        return (
            f"n={w.size}, lambda_max={self.lambda_max:.4f}, ci={self.ci:.4f}, "
            f"cr={self.cr:.4f}, table={self.table!r}"
        )


def _pairwise_from_mapping(
    comparisons: Mapping[Any, Any], criteria: Sequence[Hashable] | None
) -> tuple[FloatArray, list[Hashable]]:
    for key in comparisons:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InputTypeError(
                f"pairwise keys must be (criterion, criterion) pairs, got {key!r}",
                field="pairwise",
                value=key,
                hint='Write comparisons as {("impact", "effort"): 3, ...}',
            )
    if criteria is None:
        names: list[Hashable] = []
        for a, b in comparisons:
            for name in (a, b):
                if name not in names:
                    names.append(name)
    else:
        names = _as_names(criteria)
        known = set(names)
        for a, b in comparisons:
            for name in (a, b):
                if name not in known:
                    raise UnknownReferenceError(
                        f"pairwise compares {name!r}, which is not in criteria"
                        + did_you_mean(name, names),
                        field="pairwise",
                        value=name,
                    )
    pos = {name: i for i, name in enumerate(names)}
    n = len(names)
    mat = np.full((n, n), np.nan)
    np.fill_diagonal(mat, 1.0)
    for (a, b), raw in comparisons.items():
        field = f"pairwise[{a!r}, {b!r}]"
        value = _positive(raw, field)
        i, j = pos[a], pos[b]
        if i == j:
            if not math.isclose(value, 1.0, rel_tol=1e-9):
                raise ValidationError(
                    f"{field} compares a criterion with itself and must be 1, got {value:g}",
                    field=field,
                    value=raw,
                )
            continue
        for r, c, v in ((i, j, value), (j, i, 1.0 / value)):
            old = mat[r, c]
            if np.isfinite(old) and not math.isclose(old, v, rel_tol=_RECIPROCAL_RTOL):
                raise ValidationError(
                    f"{field} = {value:g} contradicts the comparison given for the reverse "
                    f"pair (expected {1.0 / old if r == i else old:g})",
                    field=field,
                    value=raw,
                    hint="Give each pair once; the reverse is filled in as the reciprocal",
                )
            mat[r, c] = v
    missing = [
        (names[i], names[j]) for i in range(n) for j in range(i + 1, n) if np.isnan(mat[i, j])
    ]
    if missing:
        listed = ", ".join(f"({a!r}, {b!r})" for a, b in missing)
        raise ValidationError(
            f"pairwise is missing {len(missing)} comparison(s): {listed}",
            field="pairwise",
            value=missing,
            hint="AHP needs every pair of criteria compared once",
        )
    return mat, names


def _positive(raw: Any, field: str) -> float:
    if isinstance(raw, (bool, np.bool_)) or not isinstance(raw, (int, float, np.number)):
        raise InputTypeError(
            f"{field} must be a number, got {raw!r} ({type(raw).__name__})",
            field=field,
            value=raw,
        )
    value = float(raw)
    if not (math.isfinite(value) and value > 0):
        raise ValidationError(
            f"{field} must be a positive finite number, got {value!r}",
            field=field,
            value=raw,
            hint="Use Saaty's 1-9 scale: 1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme",
        )
    return value


def _pairwise_from_matrix(pairwise: Any) -> FloatArray:
    if isinstance(pairwise, pd.DataFrame):
        pairwise = pairwise.to_numpy()
    try:
        mat = np.asarray(pairwise, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputTypeError(
            "pairwise must be a square matrix of numbers or a dict of comparisons",
            field="pairwise",
            value=pairwise,
        ) from exc
    if mat.ndim != 2 or mat.shape[0] != mat.shape[1] or mat.shape[0] == 0:
        raise ValidationError(
            f"pairwise must be a non-empty square matrix, got shape {mat.shape}",
            field="pairwise",
            value=pairwise,
        )
    n = mat.shape[0]
    for i in range(n):
        for j in range(n):
            v = float(mat[i, j])
            if not (math.isfinite(v) and v > 0):
                raise ValidationError(
                    f"pairwise[{i}, {j}] must be a positive finite number, got {v:g}",
                    field=f"pairwise[{i}, {j}]",
                    value=v,
                    hint="Every cell of a pairwise matrix is a ratio > 0",
                )
    for i in range(n):
        if not math.isclose(mat[i, i], 1.0, rel_tol=1e-9):
            raise ValidationError(
                f"pairwise[{i}, {i}] must be 1 (a criterion compared with itself), "
                f"got {mat[i, i]:g}",
                field=f"pairwise[{i}, {i}]",
                value=mat[i, i],
            )
        for j in range(i + 1, n):
            if not math.isclose(mat[i, j] * mat[j, i], 1.0, rel_tol=_RECIPROCAL_RTOL):
                raise ValidationError(
                    f"pairwise is not reciprocal: cell ({i}, {j}) = {mat[i, j]:g} but "
                    f"cell ({j}, {i}) = {mat[j, i]:g}, expected {1.0 / mat[i, j]:g}",
                    field=f"pairwise[{j}, {i}]",
                    value=mat[j, i],
                    hint="Set a_ji = 1 / a_ij",
                )
    # The upper triangle is authoritative; the lower is rebuilt as its exact reciprocal.
    upper = np.triu(mat, 1)
    out = upper + np.triu(1.0 / mat, 1).T
    np.fill_diagonal(out, 1.0)
    return out


def _principal_eigen(mat: FloatArray) -> tuple[float, FloatArray]:
    """Perron eigenvalue and eigenvector (normalised to sum 1) of a positive matrix."""
    values, vectors = np.linalg.eig(mat)
    k = int(np.argmax(values.real))
    vec = np.abs(vectors[:, k].real)
    return float(values[k].real), vec / vec.sum()


def ahp(
    pairwise: Mapping[tuple[Hashable, Hashable], float] | npt.ArrayLike | pd.DataFrame,
    *,
    criteria: Sequence[Hashable] | None = None,
    random_index: str = "saaty",
) -> AHPResult:
    """Weights from pairwise comparisons by the Analytic Hierarchy Process.

    The weights are the principal eigenvector of the reciprocal comparison matrix
    (Saaty, 1977, "A scaling method for priorities in hierarchical structures",
    *J. Math. Psychology* 15, 234-281), normalised to sum 1.
    ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with the random index from the
    named table (:data:`RANDOM_INDEX`). For ``n <= 2`` CI and CR are 0 by definition.

    Parameters
    ----------
    pairwise : dict, array-like or DataFrame
        Either an ``n x n`` positive reciprocal matrix (``a_ij`` = how many times more
        important criterion ``i`` is than ``j``; ``a_ji = 1 / a_ij`` to within 2 %, the
        upper triangle is used as given), or a dict ``{("a", "b"): 3, ...}`` giving each
        pair once (reciprocals filled in). A DataFrame's index names the criteria.
    criteria : sequence of names, optional
        Criterion names (the order of the result). For a dict, defaults to the order of
        first appearance.
    random_index : {"saaty", "alonso_lamata"}, default "saaty"
        The random-index table for CR.

    Returns
    -------
    AHPResult
        ``weights`` (a Series when criteria are named), ``lambda_max``, ``ci``, ``cr``,
        ``random_index``, ``table``.

    Raises
    ------
    ValidationError
        Not square, a cell not positive, not reciprocal (names the cell and values),
        missing pairs (lists them), or ``n`` beyond the table (15).
    UnknownReferenceError
        Unknown ``random_index`` table or criterion name.

    Warns
    -----
    AHPInconsistencyWarning
        When ``CR > 0.10``.

    Examples
    --------
    >>> import numpy as np
    >>> res = ahp(np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]]))
    >>> res.weights.round(4)
    array([0.5714, 0.2857, 0.1429])
    >>> round(res.lambda_max, 9), round(res.cr, 9)
    (3.0, 0.0)
    >>> ahp({("a", "b"): 3}, random_index="alonso_lamata").weights.to_dict()
    {'a': 0.75, 'b': 0.25}
    """
    if random_index not in RANDOM_INDEX:
        raise UnknownReferenceError(
            f"unknown random_index table {random_index!r}; choose one of "
            f"{sorted(RANDOM_INDEX)}" + did_you_mean(random_index, RANDOM_INDEX),
            field="random_index",
            value=random_index,
        )
    names: list[Hashable] | None
    if isinstance(pairwise, Mapping):
        if not pairwise:
            raise ValidationError("pairwise has no comparisons", field="pairwise", value=pairwise)
        mat, names = _pairwise_from_mapping(pairwise, criteria)
    else:
        if isinstance(pairwise, pd.DataFrame) and criteria is None:
            criteria = list(pairwise.index)
        mat = _pairwise_from_matrix(pairwise)
        names = None if criteria is None else _as_names(criteria)
        if names is not None and len(names) != mat.shape[0]:
            raise ValidationError(
                f"criteria has {len(names)} names but pairwise is {mat.shape[0]} x {mat.shape[0]}",
                field="criteria",
                value=criteria,
            )
    n = mat.shape[0]
    table = RANDOM_INDEX[random_index]
    if n > len(table):
        raise ValidationError(
            f"the {random_index!r} random-index table stops at n = {len(table)}, got {n} criteria",
            field="pairwise",
            value=n,
            hint="Group the criteria into a hierarchy of at most 15 (7 +/- 2 is advised)",
        )
    lam, vec = _principal_eigen(mat)
    ri = table[n - 1]
    if n <= 2:
        ci = cr = 0.0
        lam = float(n)
    else:
        ci = max((lam - n) / (n - 1), 0.0)
        cr = ci / ri
    if cr > CR_THRESHOLD:
        warnings.warn(
            f"AHP consistency ratio is {cr:.3f} > {CR_THRESHOLD:.2f}: the pairwise "
            "judgements contradict each other; consider revising them",
            AHPInconsistencyWarning,
            stacklevel=2,
        )
    return AHPResult(
        weights=_series(vec, names),
        lambda_max=lam,
        ci=ci,
        cr=cr,
        random_index=ri,
        table=random_index,
        matrix=mat,
    )

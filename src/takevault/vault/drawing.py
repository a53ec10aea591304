"""The drawing of a note: strokes, arrows, boxes and ellipses as vector data over the picture.

Coordinates are fractions of the picture (0..1 from the top-left), so a drawing
fits every size the player shows the frame at, and the proxy as well as the
original. A drawing is checked whole before anything is stored: known shapes
and keys only, finite numbers in range, and bounded sizes, so a note cannot
carry megabytes of points or anything a browser would run.

    {"shapes": [{"kind": "stroke", "points": [[0.1, 0.2], [0.15, 0.22], …], "color": "#ff3b30", "width": 3},
                {"kind": "box", "points": [[0.4, 0.4], [0.6, 0.7]]}]}
"""

from __future__ import annotations

import math
import re
from typing import Any

from takevault.errors import InvalidInputError

KINDS = {"stroke": (1, None), "arrow": (2, 2), "box": (2, 2), "ellipse": (2, 2)}
MAX_SHAPES = 200
MAX_POINTS = 10_000
MAX_WIDTH = 50
DEFAULT_COLOR = "#ff3b30"
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
SHAPE_KEYS = {"kind", "points", "color", "width"}


def _bad(why: str) -> InvalidInputError:
    return InvalidInputError(f"The drawing is not valid: {why}; draw it again or leave the drawing out.")


def check_drawing(drawing: Any) -> dict[str, Any] | None:
    """The drawing in its stored form (colours and widths filled in), or None for no drawing."""
    if drawing is None:
        return None
    if not isinstance(drawing, dict) or set(drawing) - {"shapes"} or not isinstance(drawing.get("shapes"), list):
        raise _bad('it must be an object {"shapes": [...]}')
    shapes = drawing["shapes"]
    if not shapes:
        return None
    if len(shapes) > MAX_SHAPES:
        raise _bad(f"it has {len(shapes)} shapes, at most {MAX_SHAPES} are kept")
    total = 0
    clean: list[dict[str, Any]] = []
    for n, shape in enumerate(shapes, 1):
        if not isinstance(shape, dict) or set(shape) - SHAPE_KEYS:
            raise _bad(f"shape {n} must be an object with only kind, points, color and width")
        kind = shape.get("kind")
        if kind not in KINDS:
            raise _bad(f"shape {n} has kind {kind!r}; use one of {', '.join(KINDS)}")
        points = shape.get("points")
        if not isinstance(points, list):
            raise _bad(f"shape {n} has no list of points")
        total += len(points)
        if total > MAX_POINTS:
            raise _bad(f"it has more than {MAX_POINTS} points")
        least, most = KINDS[kind]
        if len(points) < least or (most is not None and len(points) > most):
            want = f"exactly {least}" if least == most else f"at least {least}"
            raise _bad(f"shape {n} ({kind}) needs {want} points, it has {len(points)}")
        clean_points = []
        for point in points:
            if (
                not isinstance(point, list | tuple)
                or len(point) != 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in point)
                or not all(0 <= v <= 1 for v in point)
            ):
                raise _bad(f"shape {n} has a point that is not [x, y] with both between 0 and 1")
            clean_points.append([round(float(point[0]), 5), round(float(point[1]), 5)])
        color = shape.get("color", DEFAULT_COLOR)
        if not isinstance(color, str) or not COLOR_RE.match(color):
            raise _bad(f"shape {n} has colour {color!r}; use #rrggbb")
        width = shape.get("width", 3)
        if isinstance(width, bool) or not isinstance(width, int | float) or not 0 < width <= MAX_WIDTH:
            raise _bad(f"shape {n} has line width {width!r}; use a number from 1 to {MAX_WIDTH}")
        clean.append({"kind": kind, "points": clean_points, "color": color.lower(), "width": float(width)})
    return {"shapes": clean}


def drawing_bounds(drawing: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    """The region the drawing covers as (x0, y0, x1, y1) fractions, padded by a little for strokes' width."""
    if not drawing or not drawing.get("shapes"):
        return None
    xs = [p[0] for s in drawing["shapes"] for p in s["points"]]
    ys = [p[1] for s in drawing["shapes"] for p in s["points"]]
    pad = 0.02
    return (max(0.0, min(xs) - pad), max(0.0, min(ys) - pad), min(1.0, max(xs) + pad), min(1.0, max(ys) + pad))

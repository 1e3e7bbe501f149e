"""Small charts of KPI values, drawn as inline SVG on the server (no script, nothing to load)."""

from decimal import Decimal


def sparkline(
    values: list[Decimal | float], *, width: int = 120, height: int = 28, pad: float = 3.0
) -> dict | None:
    """Geometry of a trend line in a `width` × `height` box, oldest value on the left.

    The lowest value touches the bottom and the highest the top (inside `pad`); equal values
    draw a flat line in the middle, and one value a dot. None without values. Only the SVG
    coordinates are rounded (to 0.1 px); the values themselves are returned as given.
    """
    if not values:
        return None
    numbers = [float(v) for v in values]
    low, high = min(numbers), max(numbers)
    step = (width - 2 * pad) / (len(numbers) - 1) if len(numbers) > 1 else 0.0

    def y(v: float) -> float:
        if high == low:
            return height / 2
        return pad + (high - v) / (high - low) * (height - 2 * pad)

    points = [
        (round(pad + i * step if len(numbers) > 1 else width / 2, 1), round(y(v), 1))
        for i, v in enumerate(numbers)
    ]
    return {
        "points": " ".join(f"{px},{py}" for px, py in points),
        "last": points[-1],
        "width": width,
        "height": height,
        "count": len(values),
        "first_value": values[0],
        "last_value": values[-1],
        "low": min(values),
        "high": max(values),
    }

"""The catalog's sentence for a database error, for readers that meet one without SQLAlchemy.

The listings' fast path streams rows straight from the driver (catalog/fast_reader.py); an error
after its first row cannot be handed to the normal path any more, so it is told in the words
`Catalog._translate` uses for the same driver error, which SQLAlchemy would have wrapped by the
class name of its PEP 249 base (OperationalError, IntegrityError, ...).
"""

from __future__ import annotations

from takevault.errors import CatalogError, ConflictError, TakevaultError


def _first_line(exc: BaseException, kind: str) -> str:
    # An error without a message is named by SQLAlchemy's wrapper class, as `Catalog._translate` names it.
    text = str(exc).strip().splitlines()
    return (text[0] if text else kind).rstrip(".")


def _where(url: str) -> str:
    """The catalog as `Catalog._where` shows it: the engine's URL with its password hidden."""
    # Only on the way to an error message: loading SQLAlchemy's URL code costs what a listing's
    # start-up is allowed, but an answer that failed has no start-up left to spare.
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=True)


def _kind(exc: BaseException) -> str:
    """The class SQLAlchemy would wrap the driver's error in: its first PEP 249 base's name, else DBAPIError."""
    for base in type(exc).__mro__:
        if base.__name__ in _WRAPPED:
            return base.__name__
    return "DBAPIError"


_WRAPPED = frozenset(
    {
        "InterfaceError",
        "DatabaseError",
        "DataError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "ProgrammingError",
        "NotSupportedError",
    }
)


def failure(exc: BaseException, url: str) -> TakevaultError:
    """What the catalog raises when its driver raises `exc` on the catalog at `url`."""
    kind = _kind(exc)
    where, line = _where(url), _first_line(exc, kind)
    if kind == "IntegrityError":
        return ConflictError(
            f"The catalog refused the change because it conflicts with existing rows ({line}); "
            "check the names you gave and try again."
        )
    if kind == "OperationalError":
        return CatalogError(
            f"The catalog {where} cannot be used ({line}); "
            "check that the database is reachable and writable, then try again."
        )
    return CatalogError(
        f"The catalog {where} failed ({line}); run 'takevault fsck' and try again, or report it if it repeats."
    )

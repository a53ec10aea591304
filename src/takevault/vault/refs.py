"""Take references: the parsing lives in `takevault.refs`, outside this package, so a listing can read
a reference without importing every use case of `Vault`; use cases import it from here as before."""

from __future__ import annotations

from takevault.refs import (
    CODE_RE,
    FORMS,
    TakeRef,
    check_code,
    parse_ref,
    parse_shot,
    parse_version,
    take_name,
)

__all__ = ["CODE_RE", "FORMS", "TakeRef", "check_code", "parse_ref", "parse_shot", "parse_version", "take_name"]

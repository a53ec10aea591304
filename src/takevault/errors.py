"""Every error a user can cause, as one sentence that says what to do.

    TakevaultError                      exit 1, HTTP 400
    ├── ConfigError                     exit 2: no vault here, bad takevault.toml, vault exists
    ├── InvalidInputError               exit 2: a bad argument (file, key, reference, value)
    │   ├── InvalidKeyError             an object key that is empty, absolute or climbs with ..
    │   ├── BadReferenceError           a take reference in the wrong form
    │   └── MediaError                  not a video PyAV can decode, truncated, no frames
    ├── NotFoundError                   exit 3, HTTP 404: unknown shot, take, version, key
    │   └── DeleteMarkerError           the latest version of a key is a delete marker
    ├── ConflictError                   exit 4, HTTP 409: duplicate bytes, take deleted, exists
    │   └── DuplicateBytesError         the shot already holds a take with these exact bytes
    ├── AccessError                     exit 7, HTTP 403: a person may not do this (role too low)
    │   └── SignInError                 HTTP 401: not signed in, wrong password, unknown token
    │       └── TooManyAttemptsError    HTTP 429: too many wrong passwords in a row
    ├── StoreError                      exit 5, HTTP 502: the object store failed us
    │   ├── VersioningError             versioning is not Enabled on the bucket
    │   ├── StoreUnreachableError       the endpoint refuses or times out
    │   ├── StoreAccessError            wrong credentials or missing permission (HTTP 403)
    │   ├── StorageFullError            no space left (HTTP 507)
    │   └── ChecksumMismatchError       bytes read back do not match their sha256
    └── CatalogError                    exit 6, HTTP 500: the database failed us

Only the CLI wrapper and the web exception handler turn these into exit codes
and HTTP answers; the library raises them and nothing else reaches a user.
"""

from __future__ import annotations


class TakevaultError(Exception):
    """Root of every error takevault raises on purpose."""

    exit_code: int = 1
    http_status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(TakevaultError):
    exit_code = 2
    http_status = 500


class InvalidInputError(TakevaultError):
    exit_code = 2
    http_status = 400


class InvalidKeyError(InvalidInputError):
    pass


class BadReferenceError(InvalidInputError):
    pass


class MediaError(InvalidInputError):
    http_status = 415


class NotFoundError(TakevaultError):
    exit_code = 3
    http_status = 404


class DeleteMarkerError(NotFoundError):
    pass


class ConflictError(TakevaultError):
    exit_code = 4
    http_status = 409


class DuplicateBytesError(ConflictError):
    """`existing` is the ref of the take that already holds the bytes."""

    def __init__(self, message: str, existing: str) -> None:
        super().__init__(message)
        self.existing = existing


class CatalogNotEmptyError(ConflictError):
    """A rebuild refused because the catalog holds rows; each surface says how to ask with force."""

    def __init__(self, takes: int, events: int, how_to_force: str = "call rebuild_catalog(force=True)") -> None:
        self.takes, self.events = takes, events
        super().__init__(
            f"The catalog is not empty ({takes} take(s), {events} logged change(s)); "
            f"{how_to_force} to keep it aside and rebuild."
        )

    def told(self, how_to_force: str) -> CatalogNotEmptyError:
        """The same refusal in the words of the surface that met it."""
        return CatalogNotEmptyError(self.takes, self.events, how_to_force)


class AccessError(TakevaultError):
    exit_code = 7
    http_status = 403


class SignInError(AccessError):
    http_status = 401


class TooManyAttemptsError(SignInError):
    http_status = 429


class StoreError(TakevaultError):
    exit_code = 5
    http_status = 502


class VersioningError(StoreError):
    http_status = 409


class StoreUnreachableError(StoreError):
    http_status = 503


class StoreAccessError(StoreError):
    http_status = 403


class StorageFullError(StoreError):
    http_status = 507


class ChecksumMismatchError(StoreError):
    http_status = 500


class CatalogError(TakevaultError):
    exit_code = 6
    http_status = 500


__all__ = [
    "AccessError",
    "BadReferenceError",
    "CatalogError",
    "ChecksumMismatchError",
    "ConfigError",
    "ConflictError",
    "DeleteMarkerError",
    "InvalidInputError",
    "InvalidKeyError",
    "MediaError",
    "NotFoundError",
    "SignInError",
    "StorageFullError",
    "StoreAccessError",
    "StoreError",
    "StoreUnreachableError",
    "TakevaultError",
    "TooManyAttemptsError",
    "VersioningError",
]

"""One small exception hierarchy, mapped to CLI exit codes, HTTP statuses and GraphQL errors once.

Every error carries a message written for the person who has to act on it.
"""

from __future__ import annotations


class KizunaError(Exception):
    """Base of every error Kizuna raises on purpose."""

    code = "KIZUNA_ERROR"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class SetupError(KizunaError):
    """The machine lacks something Kizuna needs (Java, Maven, a free port)."""

    code = "SETUP"
    exit_code = 3


class DatabaseUnavailable(KizunaError):
    """Neo4j cannot be reached, refused the credentials, or did not start."""

    code = "DATABASE_UNAVAILABLE"
    http_status = 503
    exit_code = 4


class InvalidInput(KizunaError):
    """A request or a record is malformed; nothing was written for it."""

    code = "INVALID_INPUT"
    http_status = 400
    exit_code = 2


class SourceUnreadable(InvalidInput):
    """A whole source file cannot be read; the run stops and nothing of it is written."""

    code = "SOURCE_UNREADABLE"


class ResultsUnreadable(KizunaError):
    """A sweep's stored findings (a results file beside the graph) are missing or damaged."""

    code = "RESULTS_UNREADABLE"
    exit_code = 8


class NotFound(KizunaError):
    code = "NOT_FOUND"
    http_status = 404
    exit_code = 5


class Unauthenticated(KizunaError):
    code = "UNAUTHENTICATED"
    http_status = 401
    exit_code = 6


class PermissionDenied(KizunaError):
    code = "FORBIDDEN"
    http_status = 403
    exit_code = 6


class LimitExceeded(KizunaError):
    """A request asks for more than the configured limits allow (depth, cost, size, rate)."""

    code = "LIMIT_EXCEEDED"
    http_status = 429
    exit_code = 2


class Conflict(KizunaError):
    """The operation conflicts with the current state (a running sweep, a locked resource)."""

    code = "CONFLICT"
    http_status = 409
    exit_code = 7

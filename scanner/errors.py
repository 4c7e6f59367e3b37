"""The error tree. Only scanner.cli turns these into exit codes and one-line messages.

ScannerError
├── InputError            bad profile, option or file: exit status 2
└── SourceError           a source could not finish; recorded in the report
    ├── Blocked           could not tell: rate limit, captcha, WAF, 401/403
    └── SourceUnavailable could not check: network failure, 5xx, bad or huge response
"""

from __future__ import annotations


class ScannerError(Exception):
    """Base of every error exposure-audit raises on purpose."""


class InputError(ScannerError):
    """Something the user gave us is wrong. The message names the problem in one line."""


class SourceError(ScannerError):
    """A source could not finish. The message is shown in the report as the reason."""


class Blocked(SourceError):
    """The service refused to answer (rate limit, bot wall, 401/403): we cannot tell."""


class SourceUnavailable(SourceError):
    """The service could not be reached or answered with something unusable."""


class ResponseTooLarge(SourceUnavailable):
    """The response body went past the configured size cap."""

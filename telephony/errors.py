"""The telephony package's one exception, with a machine-readable code.

Codes in use (dotted, stable, for logs and callers to branch on):
- ``audiosocket.protocol``: a peer sent bytes that are not AudioSocket (bad type, length, order).
- ``audiosocket.timeout``: a peer stopped sending (no message within the read timeout).
- ``audiosocket.closed``: writing to a connection that is gone.
- ``audiosocket.format``: audio in a format AudioSocket cannot carry (rate, channels, size).
- ``audiosocket.listen``: the server cannot listen on its address.
- ``ami.connect`` (AMI unreachable), ``ami.login`` (refused), ``ami.timeout`` (no answer or
  no connection in time), ``ami.action`` (Asterisk answered with an error), ``ami.closed``
  (connection lost during an action), ``ami.value`` (a value that would break the framing),
  ``ami.not_found`` (no such queue or call).
"""

from __future__ import annotations


class TelephonyError(Exception):
    """Something failed at Asterisk's edge; ``code`` says what, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"

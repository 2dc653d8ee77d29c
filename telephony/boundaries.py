"""The two boundaries the call session sees, as small abstract classes (re-exported here).

`CallAudio` is one call's audio and keys (implemented by `AudioSocketConnection`);
`CallControl` is what the service asks of the switchboard (implemented by `AmiClient`).
A test double subclasses them (in tests/), so a call session can be tested without Asterisk.
"""

from telephony.ami.control import CallControl
from telephony.audiosocket.call import CallAudio

__all__ = ["CallAudio", "CallControl"]

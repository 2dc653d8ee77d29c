"""AMI: Asterisk's manager interface (reconnecting async client, events, channel lookup)."""

from telephony.ami.channels import UUID_VARIABLE, ChannelMap
from telephony.ami.client import AmiClient, OriginateResult
from telephony.ami.protocol import AmiEvent, AmiResponse
from telephony.ami.settings import AmiSettings

__all__ = [
    "UUID_VARIABLE",
    "AmiClient",
    "AmiEvent",
    "AmiResponse",
    "AmiSettings",
    "ChannelMap",
    "OriginateResult",
]

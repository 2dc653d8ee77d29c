"""AMI: Asterisk's manager interface (reconnecting async client, events, channel lookup)."""

from telephony.ami.channels import UUID_VARIABLE, ChannelMap
from telephony.ami.client import AmiClient, AmiSettings
from telephony.ami.protocol import AmiEvent, AmiResponse

__all__ = ["UUID_VARIABLE", "AmiClient", "AmiEvent", "AmiResponse", "AmiSettings", "ChannelMap"]

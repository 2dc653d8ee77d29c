"""Telephony: Asterisk's edges (AudioSocket server and codec, AMI client facade, configuration).

May import `speech`'s audio types, nothing else of the project.
"""

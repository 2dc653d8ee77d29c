"""Speech: audio frames and conversion, voice activity, Vosk recognition, speech synthesis.

Imports no other project package.
"""

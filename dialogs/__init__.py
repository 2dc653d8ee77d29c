"""Dialogs: flow model, the dialogue engine (pure and synchronous), French understanding.

Imports no other project package.
"""

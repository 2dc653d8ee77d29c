"""Handling of each node kind: passive nodes run and name the next node; listening nodes
(ask, menu, form) prompt, then handle the caller's answer."""

"""The standardiste service: call sessions, configuration, CLI, storage and web back office."""

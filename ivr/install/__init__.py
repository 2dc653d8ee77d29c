"""Installing standardiste as a system service (`ivr install-service`): a dedicated system
user, a hardened systemd unit, the settings in /etc/standardiste, the data in
/var/lib/standardiste, logs in the journal."""

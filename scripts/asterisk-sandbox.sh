#!/usr/bin/env bash
# A real Asterisk 22 for tests, in a Debian sid chroot, listening on loopback only.
#
#   asterisk-sandbox.sh check            exit 0 if a sandbox can run here, else print why, exit 1
#   asterisk-sandbox.sh root             build the chroot if it is not cached, print its path
#   asterisk-sandbox.sh start NAME       render the configuration, start Asterisk, wait for it
#   asterisk-sandbox.sh stop NAME        stop that Asterisk (and everything it started)
#   asterisk-sandbox.sh cli NAME CMD     run an Asterisk CLI command in that instance
#   asterisk-sandbox.sh sipp NAME ARGS   run SIPp (from the chroot) with ARGS
#
# The chroot (debootstrap --variant=minbase sid + the packages in PACKAGES) is cached under
# $IVR_ASTERISK_CACHE (default /var/cache/standardiste) keyed on the package list, so only the
# first run pays the ~70 s build. Each instance NAME lives in ROOT/srv/standardiste/NAME with its
# own configuration, run, log, spool and database folders, so several instances (several test
# sessions) can share one chroot as long as their ports differ.
#
# Configuration: the shipped files in telephony/asterisk/ are copied unchanged; the test files in
# tests/telephony/asterisk/ add what a real Asterisk has around them (transport, manager
# [general], modules, test contexts) and get their @TOKENS@ replaced from these variables:
#   SIP_PORT (15060) AMI_PORT (15038) AUDIOSOCKET_PORT (19092) RTP_START (31000) RTP_END (31199)
#   AMI_SECRET (a random one) START_OWNER (a pid: Asterisk is stopped when it exits)
#
# Asterisk runs as root inside the chroot (the packaged asterisk uid may collide with a host
# user, and -U drops capabilities it needs), in its own mount and pid namespaces (unshare): the
# proc mount exists only in that namespace and vanishes with it (debootstrap made the /dev nodes
# in the chroot, so /dev needs no mount), and killing the namespace
# leader kills every process Asterisk started. Nothing is left behind even after a crash.
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
PACKAGES="asterisk,asterisk-modules,sip-tester"
SUITE=sid
# Bump when the post-build steps below change: the cache key covers them too.
RECIPE=1
CACHE="${IVR_ASTERISK_CACHE:-/var/cache/standardiste}"
KEY="$(printf '%s|%s|%s' "$SUITE" "$PACKAGES" "$RECIPE" | sha256sum | cut -c1-16)"
ROOT="$CACHE/asterisk-$KEY"

die() { echo "asterisk-sandbox: $*" >&2; exit 1; }

cannot_run() {
  # Prints the reason this machine cannot run a sandbox, or nothing.
  if [ "$(id -u)" != 0 ]; then echo "not root (chroot, mount and unshare need root)"; return; fi
  command -v unshare >/dev/null || { echo "unshare (util-linux) is missing"; return; }
  if [ ! -f "$ROOT/.complete" ] && ! command -v debootstrap >/dev/null; then
    echo "debootstrap is missing and no cached chroot exists (apt-get install debootstrap)"
    return
  fi
  unshare --mount --pid --fork true 2>/dev/null || echo "unshare of mount/pid namespaces is refused"
}

unmount_under() {
  # Unmount whatever a failed debootstrap may have left mounted below $1 (deepest first).
  local target
  for target in $(awk -v root="$1/" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$target" 2>/dev/null || true
  done
}

build_root() {
  [ -f "$ROOT/.complete" ] && return 0
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock-$KEY"
  flock 9
  [ -f "$ROOT/.complete" ] && return 0
  local tmp="$ROOT.building"
  unmount_under "$tmp"
  rm -rf --one-file-system "$tmp"
  echo "asterisk-sandbox: building $ROOT (debootstrap $SUITE: $PACKAGES), about a minute" >&2
  if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp" \
      >"$CACHE/build-$KEY.log" 2>&1; then
    unmount_under "$tmp"
    die "debootstrap failed, see $CACHE/build-$KEY.log"
  fi
  unmount_under "$tmp"
  # Asterisk runs as root in the chroot: give it its own folders.
  local d
  for d in etc/asterisk var/lib/asterisk var/spool/asterisk var/log/asterisk usr/share/asterisk; do
    [ -e "$tmp/$d" ] && chown -R root:root "$tmp/$d"
  done
  mkdir -p "$tmp/var/run/asterisk" "$tmp/srv/standardiste"
  rm -rf "$tmp/var/cache/apt/archives/"*.deb
  touch "$tmp/.complete"
  mv "$tmp" "$ROOT"
  flock -u 9
}

instance_dir() {
  [[ "${1:-}" =~ ^[A-Za-z0-9_-]+$ ]] || die "instance name must be [A-Za-z0-9_-]+, got '${1:-}'"
  echo "/srv/standardiste/$1"
}

render() {
  # render SRC DEST: copy one configuration file, replacing the @TOKENS@ of the test overlay.
  sed -e "s/@SIP_PORT@/$SIP_PORT/g" -e "s/@AMI_PORT@/$AMI_PORT/g" \
      -e "s/@AUDIOSOCKET_PORT@/$AUDIOSOCKET_PORT/g" -e "s/@RTP_START@/$RTP_START/g" \
      -e "s/@RTP_END@/$RTP_END/g" -e "s/@AMI_SECRET@/$AMI_SECRET/g" \
      -e "s|@INSTANCE@|$INST|g" "$1" >"$2"
}

start_instance() {
  local name="$1" inst host
  inst="$(instance_dir "$name")"
  host="$ROOT$inst"
  SIP_PORT="${SIP_PORT:-15060}" AMI_PORT="${AMI_PORT:-15038}"
  AUDIOSOCKET_PORT="${AUDIOSOCKET_PORT:-19092}" RTP_START="${RTP_START:-31000}"
  RTP_END="${RTP_END:-31199}" AMI_SECRET="${AMI_SECRET:-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')}"
  INST="$inst"
  [ -f "$host/pid" ] && kill -0 "$(cat "$host/pid")" 2>/dev/null && die "instance $name is already running"
  # Instances left by sessions that were killed (their Asterisk died with them): remove the
  # ones not touched for 10 minutes whose Asterisk is gone.
  local old
  for old in $(find "$ROOT/srv/standardiste" -mindepth 1 -maxdepth 1 -type d -mmin +10); do
    if [ ! -f "$old/pid" ] || ! kill -0 "$(cat "$old/pid")" 2>/dev/null; then rm -rf --one-file-system "$old"; fi
  done
  rm -rf --one-file-system "$host"
  mkdir -p "$host"/{etc,run,log,spool,lib,cache,keys}
  local f
  # Debian's stock files for what the test overlay does not care about (tones, hold music).
  for f in indications.conf musiconhold.conf features.conf codecs.conf; do
    cp "$ROOT/etc/asterisk/$f" "$host/etc/"
  done
  for f in "$HERE"/telephony/asterisk/*.conf; do cp "$f" "$host/etc/"; done
  # The manager user's secret is a test secret, not the shipped placeholder.
  sed -i "s/^secret *=.*/secret = $AMI_SECRET/" "$host/etc/manager_standardiste.conf"
  for f in "$HERE"/tests/telephony/asterisk/*.conf; do render "$f" "$host/etc/$(basename "$f")"; done
  local moddir
  moddir="$(cd "$ROOT" && ls -d usr/lib/*/asterisk/modules | head -1)"  # multiarch folder
  cat >"$host/etc/asterisk.conf" <<CONF
[directories]
astetcdir => $inst/etc
astmoddir => /$moddir
astvarlibdir => /var/lib/asterisk
astdbdir => $inst/lib
astkeydir => $inst/keys
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => $inst/spool
astrundir => $inst/run
astlogdir => $inst/log
astcachedir => $inst/cache
astsbindir => /usr/sbin
[options]
documentation_language = en_US
CONF
  printf 'AMI_SECRET=%s\n' "$AMI_SECRET" >"$host/secret.env"
  chmod 600 "$host/secret.env"
  # Own mount and pid namespaces: the /proc mount lives only there,
  # and when the unshare process goes, the kernel kills every process of the namespace.
  setsid unshare --mount --pid --fork --kill-child --mount-proc="$ROOT/proc" \
    chroot "$ROOT" /usr/sbin/asterisk -C "$inst/etc/asterisk.conf" -f -n \
    >"$host/console.log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$host/pid"
  if [ -n "${START_OWNER:-}" ]; then
    # Stop Asterisk when its owner (a test session) goes away, however it ends.
    # (unshare ignores SIGTERM while it waits for its child: SIGKILL it, and the kernel
    # then kills the whole namespace.)
    ( trap '' HUP; while kill -0 "$START_OWNER" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
      kill -KILL "$pid" 2>/dev/null || true ) >/dev/null 2>&1 </dev/null &
  fi
  local i
  for i in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$host/console.log" >&2; die "Asterisk exited during start-up"
    fi
    if chroot "$ROOT" /usr/sbin/asterisk -C "$inst/etc/asterisk.conf" -rx "core waitfullybooted" \
        >/dev/null 2>&1; then
      echo "ROOT=$ROOT"; echo "INSTANCE=$inst"; echo "PID=$pid"
      return 0
    fi
    sleep 0.2
  done
  stop_instance "$name"
  die "Asterisk did not finish booting in 30 s"
}

stop_instance() {
  local inst host pid i
  inst="$(instance_dir "$1")"
  host="$ROOT$inst"
  [ -f "$host/pid" ] || return 0
  pid="$(cat "$host/pid")"
  if kill -0 "$pid" 2>/dev/null; then
    chroot "$ROOT" /usr/sbin/asterisk -C "$inst/etc/asterisk.conf" -rx "core stop now" \
      >/dev/null 2>&1 || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    # Still there after 5 s: SIGKILL unshare (it ignores SIGTERM); the namespace goes with it.
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$host/pid"
  [ -n "${KEEP_INSTANCE:-}" ] || rm -rf --one-file-system "$host"
}

case "${1:-}" in
  check)
    reason="$(cannot_run)"
    [ -z "$reason" ] || { echo "$reason"; exit 1; }
    ;;
  root)
    reason="$(cannot_run)"
    [ -z "$reason" ] || die "$reason"
    build_root
    echo "$ROOT"
    ;;
  start)
    reason="$(cannot_run)"
    [ -z "$reason" ] || die "$reason"
    build_root
    start_instance "${2:-}"
    ;;
  stop)
    stop_instance "${2:-}"
    ;;
  cli)
    inst="$(instance_dir "${2:-}")"
    exec chroot "$ROOT" /usr/sbin/asterisk -C "$inst/etc/asterisk.conf" -rx "${3:-core show version}"
    ;;
  sipp)
    shift 2
    exec chroot "$ROOT" /usr/bin/sipp "$@"
    ;;
  *)
    die "usage: $0 check|root|start NAME|stop NAME|cli NAME CMD|sipp NAME ARGS"
    ;;
esac

#!/usr/bin/env bash
# A throwaway coturn for the TURN tests (test/webrtc/turn-netns.test.ts). Needs Debian's `coturn` package.
#
#   listens   UDP/TCP 3478 on 127.0.0.1, plus 10.201.1.1 and 10.201.2.1 when test/net/netns.sh made them
#   auth      long-term credentials, static user sealdrop:ci-secret, realm sealdrop.test
#   relays    on 10.201.1.1 when the namespaces exist (reachable from both, being a root-namespace address),
#             else on 127.0.0.1 (loopback peers then have to be allowed explicitly)
#   no TLS/DTLS listeners, no CLI, no config file (-n), its own user db, log and pid file in $COTURN_DIR
#
# Usage: test/net/coturn.sh start|stop|status      (COTURN_DIR defaults to /tmp/sealdrop-coturn)
#        COTURN_REPLACE_SYSTEM_SERVICE=1 lets `start` stop a running coturn.service that holds the port (CI only).
set -euo pipefail

COTURN_DIR=${COTURN_DIR:-/tmp/sealdrop-coturn}
PIDFILE=$COTURN_DIR/turnserver.pid
LOGFILE=$COTURN_DIR/turnserver.log
PORT=3478

log() { echo "[coturn] $*" >&2; }

has_addr() { ip -4 -o addr show 2>/dev/null | awk '{print $4}' | grep -qx "$1/24"; }

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = turnserver ] && echo "$pid"
}

listening() { ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q "$1:$PORT"; }

start() {
  command -v turnserver >/dev/null || { log "turnserver not found (apt-get install coturn)"; exit 1; }
  # Restart rather than reuse: a running one may be bound to addresses of namespaces that were recreated since.
  if running_pid >/dev/null; then stop; fi
  if ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q . && [ "${COTURN_REPLACE_SYSTEM_SERVICE:-0}" = 1 ] \
    && command -v systemctl >/dev/null && systemctl is-active --quiet coturn 2>/dev/null; then
    # Debian enables and starts coturn.service when the package is installed (on machines that run systemd). It
    # holds port 3478 on every address with another configuration, so CI stops it for the run.
    log "stopping the distribution's coturn.service, which holds port $PORT"
    systemctl stop coturn
  fi
  if ss -Hlun "sport = :$PORT" 2>/dev/null | grep -q .; then log "UDP port $PORT is already taken"; exit 1; fi
  mkdir -p "$COTURN_DIR"
  rm -f "$PIDFILE" "$LOGFILE"
  local args=(-n --no-cli --no-tls --no-dtls -p "$PORT" --lt-cred-mech --user sealdrop:ci-secret
    --realm sealdrop.test --fingerprint --userdb "$COTURN_DIR/turndb" --min-port 49160 --max-port 49999
    --pidfile "$PIDFILE" --log-file "$LOGFILE" --simple-log --no-stdout-log -L 127.0.0.1)
  local wait_for=(127.0.0.1)
  if has_addr 10.201.1.1 && has_addr 10.201.2.1; then
    args+=(-L 10.201.1.1 -L 10.201.2.1 -E 10.201.1.1)
    wait_for+=(10.201.1.1 10.201.2.1)
  else
    args+=(-E 127.0.0.1 --allow-loopback-peers)
    log "namespace addresses absent: listening and relaying on 127.0.0.1 only"
  fi
  setsid turnserver "${args[@]}" </dev/null >/dev/null 2>&1 &
  local launcher=$!
  for _ in $(seq 1 50); do
    local ready=1
    for ip in "${wait_for[@]}"; do listening "$ip" || ready=0; done
    if [ "$ready" -eq 1 ] && running_pid >/dev/null; then
      log "started (pid $(running_pid)) on ${wait_for[*]}:$PORT, log $LOGFILE"
      return 0
    fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.1
  done
  log "failed to start; last log lines:"
  tail -n 20 "$LOGFILE" >&2 2>/dev/null || true
  kill "$launcher" 2>/dev/null || true
  exit 1
}

stop() {
  local pid
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped (pid $pid)"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if pid=$(running_pid); then log "running (pid $pid)"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# `services.sh ensure`: NATS (with JetStream) on 127.0.0.1:4222 and Postgres on 127.0.0.1:5432 must
# answer; when they are installed but down, start them; when missing, say how to install them.
set -uo pipefail
NATS_PORT=4222 PG_PORT=5432

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 50); do answers "$1" && return 0; sleep 0.2; done
  return 1
}

ensure_nats() {
  answers $NATS_PORT && { echo "nats: answering on $NATS_PORT"; return 0; }
  local bin; bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  [ -x "$bin" ] || { echo "nats: not installed (apt-get install -y nats-server)"; return 1; }
  mkdir -p /var/lib/nats-server 2>/dev/null || true
  echo "nats: starting $bin with JetStream"
  if command -v start-stop-daemon >/dev/null; then
    start-stop-daemon --start --oknodo --background --exec "$bin" -- -a 127.0.0.1 -p $NATS_PORT -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  else
    nohup "$bin" -a 127.0.0.1 -p $NATS_PORT -js -sd /var/lib/nats-server >/tmp/nats-server.log 2>&1 &
  fi
  wait_for $NATS_PORT
}

ensure_postgres() {
  answers $PG_PORT && { echo "postgres: answering on $PG_PORT"; return 0; }
  command -v pg_ctlcluster >/dev/null || { echo "postgres: not installed (apt-get install -y postgresql)"; return 1; }
  local ver; ver=$(ls /etc/postgresql | sort -n | tail -1)
  echo "postgres: starting cluster $ver/main"
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  wait_for $PG_PORT
}

case "${1:-ensure}" in
  ensure) ensure_nats && ensure_postgres ;;
  *) echo "usage: $0 ensure"; exit 2 ;;
esac

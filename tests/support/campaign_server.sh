# Sourced by the shell tests that run `consolida serve` as a process (tests/e2e/run.sh,
# tests/deploy_nginx.sh). Both need $cli and $work.
#   spesa_campaign_2024 DATA      the campaign «Spesa sociale 2024» open since yesterday for 30
#                                 days, and the account melzo (comune 015142, password-di-melzo)
#   start_serve DATA ARGS...      starts `consolida serve --data-dir DATA --port 0 ARGS...`; sets
#                                 $server_pid and $port (empty when it did not start); the server's
#                                 output after its first line goes to $work/server.log

spesa_campaign_2024() {
  local opens deadline
  opens=$(TZ=Europe/Rome date -d '-1 day' '+%Y-%m-%d %H:%M')
  deadline=$(TZ=Europe/Rome date -d '+30 days' '+%Y-%m-%d %H:%M')
  "$cli" admin --data-dir "$1" campagna aggiungi --nome "Spesa sociale 2024" --modulo spesa-sociale-comune --anno 2024 \
    --apertura "$opens" --scadenza "$deadline" >/dev/null
  echo "password-di-melzo" | "$cli" admin --data-dir "$1" utente aggiungi melzo --ruolo comune --ente 015142 >/dev/null 2>&1
}

start_serve() {
  local data=$1 line
  shift
  mkfifo "$work/started"
  "$cli" serve --data-dir "$data" --port 0 "$@" > "$work/started" &
  server_pid=$!
  # The first line says the port; the rest of the server's output is drained, never cut off.
  exec 3< "$work/started"
  read -r line <&3
  cat <&3 > "$work/server.log" &
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' <<< "$line")
}

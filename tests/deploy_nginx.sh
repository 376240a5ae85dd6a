#!/usr/bin/env bash
# The deployment of deploy/: the systemd unit passes `systemd-analyze verify`, and the nginx site,
# as shipped but for ports, certificate and upstream port, puts TLS in front of `consolida serve`:
# an upload through it is stored, plain HTTP is redirected, a body over the limit and a burst of
# logins are refused by nginx before they reach consolida.
#   tests/deploy_nginx.sh CONSOLIDA_CLI MAKE_REGION SOURCE_DIR
# Skips (77) where nginx, openssl or curl are missing, unless CONSOLIDA_REQUIRE_E2E=1.
set -euo pipefail
cli=$(realpath "$1") make_region=$(realpath "$2") source_dir=$(realpath "$3")

for tool in nginx openssl curl systemd-analyze; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "deploy: $tool missing (scripts/install-deps.sh test installs it)"
    [ "${CONSOLIDA_REQUIRE_E2E:-0}" = 1 ] && exit 1
    exit 77
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
source "$source_dir/tests/support/campaign_server.sh"

work=$(mktemp -d)
server_pid="" nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "deploy: FALLITO: $*"; [ -f "$work/nginx-error.log" ] && tail -5 "$work/nginx-error.log"; exit 1; }

# ---- systemd: the unit as shipped, its ExecStart pointed at this build ----
sed "s#/usr/local/bin/consolida#$cli#" "$source_dir/deploy/consolida.service" > "$work/consolida.service"
verify=$(systemd-analyze verify "$work/consolida.service" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify dice: $verify"
echo "deploy: systemd-analyze verify pulito"

# ---- consolida on a free loopback port ----
"$make_region" "$work/region" --scope ambito:MELZO --missing 0 --errors 0 --year 2024 >/dev/null
data="$work/data"
spesa_campaign_2024 "$data"
token=$("$cli" admin --data-dir "$data" token melzo 2>/dev/null | grep -o '[A-Za-z0-9_-]\{32,\}' | head -1)
[ -n "$token" ] || fail "nessun token API"

# The shipped configuration, but for the folders and the port (flags after --config win).
start_serve "$data" --config "$source_dir/deploy/consolida.conf" --plugins "$source_dir/plugins"
[ -n "$port" ] || fail "il server non è partito"

# ---- nginx: the shipped site with its ports, certificate and upstream changed, nothing else ----
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
https_port=$(free_port) http_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
sed -e "s#listen 443 ssl http2;#listen 127.0.0.1:$https_port ssl http2;#" -e '/listen \[::\]/d' \
    -e "s#listen 80;#listen 127.0.0.1:$http_port;#" \
    -e "s#/etc/ssl/certs/consolida.pem#$work/tls.pem#" -e "s#/etc/ssl/private/consolida.key#$work/tls.key#" \
    -e "s#server 127.0.0.1:8080;#server 127.0.0.1:$port;#" \
    "$source_dir/deploy/nginx/consolida.conf" > "$work/site.conf"
grep -q "127.0.0.1:$port" "$work/site.conf" || fail "il sito nginx non ha più l'upstream 127.0.0.1:8080"
mkdir -p "$work/nginx-temp"
cat > "$work/nginx.conf" <<CONF
$([ "$(id -u)" = 0 ] && echo "user root;")
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx-temp/body;
  proxy_temp_path $work/nginx-temp/proxy;
  fastcgi_temp_path $work/nginx-temp/fastcgi;
  uwsgi_temp_path $work/nginx-temp/uwsgi;
  scgi_temp_path $work/nginx-temp/scgi;
  include $work/site.conf;
}
CONF
"$nginx_bin" -t -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" >/dev/null 2>&1 || fail "nginx -t: $("$nginx_bin" -t -p "$work" -c "$work/nginx.conf" -e stderr 2>&1)"
"$nginx_bin" -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
nginx_pid=$!
base="https://127.0.0.1:$https_port"
for _ in $(seq 1 100); do
  curl -s -o /dev/null --cacert "$work/tls.pem" "$base/" && break
  kill -0 "$nginx_pid" 2>/dev/null || fail "nginx si è fermato"
  read -r -t 0.1 <> <(:) || true
done

status() { curl -s -o "$work/body" -w '%{http_code}' --cacert "$work/tls.pem" "$@"; }

# An upload through TLS is stored (201) and reads back with the same bytes.
melzo="$work/region/comuni/015142-melzo.xlsx"
code=$(status -H "Authorization: Bearer $token" -F "file=@$melzo" "$base/api/v1/campagne/1/invii")
[ "$code" = 201 ] || fail "invio tramite nginx: $code $(head -c 300 "$work/body")"
id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/body")
code=$(status -H "Authorization: Bearer $token" "$base/api/v1/invii/$id/file")
[ "$code" = 200 ] && cmp -s "$work/body" "$melzo" || fail "il file scaricato tramite nginx non è quello inviato ($code)"
echo "deploy: invio tramite nginx memorizzato (versione $id), file identico"

# Plain HTTP goes to HTTPS.
code=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$http_port/campagne")
[[ "$code" == "301 https://"* ]] || fail "HTTP non rimanda a HTTPS: $code"

# A body over nginx's limit is refused by nginx (413) and never reaches consolida.
head -c $((18 << 20)) /dev/zero > "$work/big.bin"
code=$(status -H "Authorization: Bearer $token" -H "Content-Type: application/octet-stream" --data-binary "@$work/big.bin" "$base/api/v1/campagne/1/invii")
[ "$code" = 413 ] || fail "corpo di 18 MB: $code invece di 413"

# A login through nginx: the session cookie is marked Secure (cookie_secure in the shipped config).
# As a browser posts it, with its Origin (scheme, host and port): nginx passes the host with its port.
cookie=$(curl -s -o /dev/null -D - --cacert "$work/tls.pem" -H "Origin: $base" -d 'utente=melzo&password=password-di-melzo' "$base/accesso" | grep -i '^set-cookie:' || true)
[[ "${cookie,,}" == *"; secure"* ]] || fail "il cookie di sessione tramite HTTPS non è Secure: $cookie"

# A burst of logins from one address: nginx lets the burst through, then answers 429.
codes=""
# consolida's own throttle answers 429 after the fourth failure; nginx's limit (its own 429 page)
# must answer by the twelfth.
nginx_refused=0
for _ in $(seq 1 12); do
  codes+="$(status -d 'utente=melzo&password=sbagliata' "$base/accesso") "
  grep -q "<center>nginx" "$work/body" && nginx_refused=1
done
[[ "$codes" == *429* ]] || fail "nessun 429 dopo 12 accessi: $codes"
[ "$nginx_refused" = 1 ] || fail "nginx non limita gli accessi (limit_req): $codes"
[[ "$codes" == 401* ]] || fail "il primo accesso errato non arriva a consolida: $codes"
echo "deploy: HTTP rimandato a HTTPS, 18 MB rifiutati (413), accessi in raffica limitati ($codes)"

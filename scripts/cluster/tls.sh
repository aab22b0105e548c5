# A private CA and the certificates the cluster uses (openssl), generated once per state dir:
#   frontend        the server certificate (DNS:temporal, DNS:localhost, IP:127.0.0.1)
#   system-worker   Temporal's own system worker, a client of the frontend (mTLS)
#   ui / admin      the Web UI server and the `temporal` CLI
#   pipeline/ scenario/   one client pair per worker, each in a folder only its OS user can read
# Sourced by scripts/cluster.sh.

issue_cert() { # name dir cn [server]
  local name=$1 dir=$2 cn=$3 kind=${4:-client} ext
  ext="$(mktemp)"
  if [[ $kind == server ]]; then
    printf 'subjectAltName=DNS:%s,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$TLS_SERVER_NAME" > "$ext"
  else
    printf 'extendedKeyUsage=clientAuth\n' > "$ext"
  fi
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -subj "/CN=$cn" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$STATE/tls/ca.pem" -CAkey "$STATE/tls/ca.key" -CAcreateserial \
    -days 30 -sha256 -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
}

ensure_tls() {
  local tls="$STATE/tls"
  [[ -f "$tls/ca.pem" && -f "$tls/scenario/client.pem" ]] && return 0
  command -v openssl >/dev/null || die "openssl not found: apt-get install openssl"
  mkdir -p "$tls/pipeline" "$tls/scenario"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=factory cluster CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null || die "openssl could not create the CA"
  issue_cert frontend "$tls" "$TLS_SERVER_NAME" server
  issue_cert system-worker "$tls" temporal-system-worker
  issue_cert ui "$tls" temporal-ui
  issue_cert admin "$tls" factory-admin
  issue_cert client "$tls/pipeline" factory-pipeline-worker
  issue_cert client "$tls/scenario" factory-scenario-worker
  chmod 600 "$tls"/*.key "$tls"/*/client.key
  chmod 644 "$tls/ca.pem"
  if is_root; then
    chown -R "$PIPELINE_USER:" "$tls/pipeline"
    chown -R "$SCENARIO_USER:" "$tls/scenario"
  fi
  chmod 700 "$tls/pipeline" "$tls/scenario"
  say "TLS: CA and certificates in $tls (server name $TLS_SERVER_NAME, mTLS required)"
}

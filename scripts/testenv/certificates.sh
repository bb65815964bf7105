# Test certificates for scripts/testenv/*.sh (sourced): a CA, a server certificate and a client
# certificate, all valid for two days. EC keys: generating them takes milliseconds. The caller
# defines `die` and SERVER_USER (the account the server runs as).

# make_certificates TLS_DIR SERVER_NAMES SERVER_CN CLIENT_CN
#   SERVER_NAMES: the server certificate's subjectAltName, e.g. IP:127.0.0.1,DNS:localhost.
#   Files: ca.crt/ca.key, server.crt/server.key, client.crt/client.key. Run as root, the server
#   key is handed to SERVER_USER (servers read their key after dropping root and want it 0600;
#   clients want theirs owned by whoever runs them).
make_certificates() {
  local tls=$1 server_names=$2 server_cn=$3 client_cn=$4
  mkdir -p "$tls"
  chmod 755 "$tls"
  local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (
    cd "$tls"
    umask 077
    openssl req -x509 "${newkey[@]}" -keyout ca.key -out ca.crt -days 2 -subj "/CN=rivven test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -new "${newkey[@]}" -keyout server.key -out server.csr -subj "/CN=$server_cn"
    openssl req -new "${newkey[@]}" -keyout client.key -out client.csr -subj "/CN=$client_cn"
    printf '%s\n' "subjectAltName=$server_names" "basicConstraints=CA:FALSE" \
      "extendedKeyUsage=serverAuth" >server.ext
    printf '%s\n' "basicConstraints=CA:FALSE" "extendedKeyUsage=clientAuth" >client.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -CAserial ca.srl \
      -days 2 -extfile server.ext -out server.crt
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAserial ca.srl \
      -days 2 -extfile client.ext -out client.crt
    rm -f server.csr client.csr server.ext client.ext ca.srl
    chmod 644 ca.crt server.crt client.crt
    chmod 600 ca.key server.key client.key
  ) >"$tls/openssl.log" 2>&1 || {
    cat "$tls/openssl.log" >&2
    die "making test certificates in $tls failed"
  }
  rm -f "$tls/openssl.log"
  if [ "$(id -u)" -eq 0 ]; then
    chown "$SERVER_USER:" "$tls/server.key"
  fi
}

# shellcheck shell=bash
# Sourced by scripts/cluster.sh: the cluster's certificates and tokens, made fresh by every `up`
# (ECDSA P-256 with openssl: well under a second). Users authenticate with bearer tokens from
# the apiserver's token file; certificates serve TLS (apiserver, kubelet), sign service account
# tokens, let the apiserver reach kubelets and aggregated API servers (front proxy).

# cert NAME CA CN [O] [SANS]: a key and certificate signed by CA, for server and client use.
cert() {
  local name=$1 ca=$2 cn=$3 org=${4:-} sans=${5:-} subj ext
  subj="/CN=$cn"
  [ -n "$org" ] && subj="/O=$org$subj"
  ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth"
  [ -n "$sans" ] && ext="$ext
subjectAltName=$sans"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$subj" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -days 3650 \
    -set_serial "0x$(openssl rand -hex 16)" -extfile <(echo "$ext") -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}

ca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=$2" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt" 2>/dev/null
}

token() { openssl rand -hex 24; }

# kubeconfig FILE SERVER TOKEN
kubeconfig() {
  cat >"$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: llmhub
    cluster:
      server: $2
      certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
  - name: user
    user:
      token: $3
contexts:
  - name: llmhub
    context: {cluster: llmhub, user: user}
current-context: llmhub
KUBECONFIG
  chmod 600 "$1"
}

make_pki() {
  mkdir -p "$PKI" "$CONF"
  chmod 700 "$PKI"
  ca ca llmhub-ca
  ca front-proxy-ca llmhub-front-proxy-ca
  cert apiserver ca kube-apiserver "" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,IP:$KUBERNETES_SERVICE_IP,IP:$NODE_IP,IP:$LINK_NS_IP,IP:127.0.0.1"
  cert apiserver-kubelet-client ca kube-apiserver-kubelet-client system:masters
  cert front-proxy-client front-proxy-ca front-proxy-client
  cert kubelet ca "$NODE_NAME" "" "DNS:$NODE_NAME,IP:$NODE_IP"
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/sa.key" 2>/dev/null
  openssl ec -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  local admin controller scheduler kubelet proxy
  admin=$(token) controller=$(token) scheduler=$(token) kubelet=$(token) proxy=$(token)
  cat >"$PKI/tokens.csv" <<TOKENS
$admin,cluster-admin,cluster-admin,"system:masters"
$controller,system:kube-controller-manager,system:kube-controller-manager
$scheduler,system:kube-scheduler,system:kube-scheduler
$kubelet,system:node:$NODE_NAME,system:node:$NODE_NAME,"system:nodes"
$proxy,system:kube-proxy,system:kube-proxy
TOKENS
  chmod 600 "$PKI/tokens.csv"
  # The admin's kubeconfig names the host-link address, which answers from the host and from
  # inside the namespace alike; the components use the node's own address.
  kubeconfig "$KUBECONFIG_FILE" "$API_URL" "$admin"
  kubeconfig "$CONF/controller-manager.kubeconfig" "https://$NODE_IP:$API_PORT" "$controller"
  kubeconfig "$CONF/scheduler.kubeconfig" "https://$NODE_IP:$API_PORT" "$scheduler"
  kubeconfig "$CONF/kubelet.kubeconfig" "https://$NODE_IP:$API_PORT" "$kubelet"
  kubeconfig "$CONF/kube-proxy.kubeconfig" "https://$NODE_IP:$API_PORT" "$proxy"
}

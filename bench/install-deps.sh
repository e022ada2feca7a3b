#!/usr/bin/env bash
# Installs the Debian packages the harness needs, only if a tool is missing (run as root):
# nginx (stub and proxy peer), wrk, redis-server (the gateway's shared state in the redis part), gnuplot (the chart; gnuplot-nox has the pngcairo terminal
# without X11), curl, ss, ps, setsid. --all also brings the optional peers and ad-hoc tools of
# the shared harness (HAProxy, ab, hey). The harness never uses the distribution services (if
# apt starts them): it starts its own instances on ports 2808x.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
declare -A pkg=([nginx]=nginx [wrk]=wrk [gnuplot]=gnuplot-nox [curl]=curl [ss]=iproute2 [ps]=procps [setsid]=util-linux [redis-server]=redis-server)
[[ ${1:-} == --all ]] && pkg+=([haproxy]=haproxy [ab]=apache2-utils [hey]=hey)
missing=()
for tool in "${!pkg[@]}"; do command -v "$tool" >/dev/null || missing+=("${pkg[$tool]}"); done
((${#missing[@]})) || exit 0
echo "installing: ${missing[*]}" >&2
((EUID == 0)) || { echo "not root: install these first: ${missing[*]}" >&2; exit 1; }
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

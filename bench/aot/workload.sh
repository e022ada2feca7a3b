#!/usr/bin/env bash
# AOT cache training workload: a short, representative mix of what callers send the gateway,
# run against a gateway started on its built-in MailReach sandbox (the default profile). Shared
# by the Dockerfile's training stage and bench/aot/train.sh, so the image and a local run train
# the same way. Needs bash and curl; talks to 127.0.0.1 only; bounded in time.
#
#   workload.sh [BASE_URL] [MANAGEMENT_URL]     (defaults http://127.0.0.1:8080, http://127.0.0.1:8081)
#
# Waits (at most AOT_TRAIN_READY_WAIT s, default 60) for /actuator/health/readiness, then runs
# AOT_TRAIN_LOOPS (default 2) concurrent loops for AOT_TRAIN_SECONDS (default 20). Each round
# sends, over one keep-alive connection: updates (clamped by tier cap and young domain, a
# signature that gets sanitised, a PATCH), dry runs, cached and forced reads, and refusals
# (401, 400 for bad JSON / unknown field / null / out of range / bad id, 403, 415, 422, the
# sandbox's 404), plus a Prometheus scrape now and then. Prints the count per HTTP status
# (000: no answer within 5 s); fails if the gateway never answered 200 or answered 5xx.
# The 401s go out with "Connection: close": on a keep-alive connection, the request after a
# 401 (body left unread) that followed an upstream read sometimes gets no answer (seen on the
# 0.1.0-SNAPSHOT of 2026-12-01; see bench/README.md), and training should not wait on it.
set -euo pipefail
base=${1:-http://127.0.0.1:8080}
mgmt=${2:-http://127.0.0.1:8081}
seconds=${AOT_TRAIN_SECONDS:-20}
loops=${AOT_TRAIN_LOOPS:-2}
ready_wait=${AOT_TRAIN_READY_WAIT:-60}

deadline=$((SECONDS + ready_wait))
until curl -fsS -o /dev/null --max-time 2 "$mgmt/actuator/health/readiness" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "workload: gateway not ready after ${ready_wait}s" >&2; exit 1; }
    sleep 0.2
done

json='Content-Type: application/json'
ops='X-Api-Key: sandbox-ops-key'       # premium
crm='X-Api-Key: sandbox-crm-key'       # standard
sales='X-Api-Key: sandbox-sales-key'   # first_name, last_name, signature, desc only
full='{"config_rampup_target": 25, "config_rampup_increase": 2, "config_max_conversation_running": 10,
 "time_zone": "Paris", "signature": "Best,<br/>John Doe", "first_name": "John", "last_name": "Doe",
 "alive": true, "autopilot": true, "imap_issue": true, "config_smtp_append_after_sent": true,
 "desc": "Primary sales mailbox", "alias": "john.doe@acme.com"}'

round() { # ROUND_NUMBER: one curl, one connection, many requests; prints one status per line
    local n=$1 a=$((1234 + $1 % 4)) u="$base/api/v1/accounts"
    local args=(-s -o /dev/null -w '%{http_code}\n' --max-time 5)
    local reqs=(
        -X POST -H "$json" -H "$crm" --data "$full" "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"config_rampup_target": 30, "config_rampup_increase": 3}' "$u/$a"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"first_name": "Ann", "time_zone": "Europe/Paris", "desc": "round '"$n"'"}' "$u/1237"
        --next "${args[@]}" -X POST -H "$json" -H "$sales" --data '{"signature": "Hi<script>x()</script><b>Ann</b>", "last_name": "Lee"}' "$u/1234"
        --next "${args[@]}" -X PATCH -H "$json" -H "$crm" --data '{"alive": false, "autopilot": true}' "$u/1235"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"config_rampup_target": 35}' "$u/1235?dry_run=true"
        --next "${args[@]}" -X POST -H "$json" -H "$crm" --data '{"config_rampup_target": 30, "config_rampup_increase": 1}' "$u/1236?dry_run=true"
        --next "${args[@]}" -H "$ops" "$u/$a"
        --next "${args[@]}" -H "$crm" "$u/1234"
        --next "${args[@]}" -H "$ops" -H 'Cache-Control: no-cache' "$u/1236"
        --next "${args[@]}" -X POST -H "$json" -H 'Connection: close' --data '{"first_name": "X"}' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H 'Connection: close' -H 'X-Api-Key: not-a-key' --data '{"first_name": "X"}' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"first_name": ' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"frist_name": "X"}' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"first_name": null}' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"config_rampup_target": 99, "alias": "no-at"}' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{}' "$u/1234"
        --next "${args[@]}" -H "$ops" "$u/not-a-number"
        --next "${args[@]}" -X POST -H "$json" -H "$sales" --data '{"alias": "a@b.co", "first_name": "X"}' "$u/1234"
        --next "${args[@]}" -X POST -H 'Content-Type: text/plain' -H "$ops" --data 'first_name=X' "$u/1234"
        --next "${args[@]}" -X POST -H "$json" -H "$crm" --data '{"config_rampup_target": 30}' "$u/1236"
        --next "${args[@]}" -X POST -H "$json" -H "$ops" --data '{"first_name": "Nobody"}' "$u/99999"
    )
    curl "${args[@]}" "${reqs[@]}" || true
    if ((n % 10 == 0)); then
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 10 "$mgmt/actuator/prometheus" \
            --next -s -o /dev/null -w '%{http_code}\n' --max-time 10 "$mgmt/actuator/health/readiness" || true
    fi
}

loop() { # LOOP_NUMBER
    local n=$1 end=$((SECONDS + seconds))
    while ((SECONDS < end)); do
        round "$n"
        n=$((n + loops))
    done
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
pids=()
for ((i = 0; i < loops; i++)); do
    loop "$i" >>"$out" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
echo "workload: $(wc -l <"$out") requests in ${seconds}s x $loops loops; by HTTP status:" >&2
sort "$out" | uniq -c | awk '{printf "  %s x %s\n", $2, $1}' >&2
grep -q '^200$' "$out" || { echo "workload: no 200 at all" >&2; exit 1; }
if grep -q '^5' "$out"; then echo "workload: the gateway answered 5xx" >&2; exit 1; fi

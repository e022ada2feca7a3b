#!/usr/bin/env bash
# Turns one compare.sh run (RUN/updates, RUN/paced, RUN/reads, each a run-all.sh results folder)
# into RUN/results.md (the comparison table, the ratios against the goals of issue 10) and
# RUN/chart.png (gnuplot: throughput per target; p50/p99 per target at the paced load).
#   summarize.sh RUN_DIR [GATEWAY_TARGET_NAME (default e-gateway)]
set -euo pipefail
run=${1:?usage: summarize.sh RUN_DIR [GATEWAY_TARGET]}
gw=${2:-e-gateway}
here=$(cd "$(dirname "$0")" && pwd)
for part in updates paced reads; do
    [[ -s $run/$part/results.tsv ]] || { echo "missing $run/$part/results.tsv" >&2; exit 1; }
done

# One line per (part, target): part target rps p50 p99 cpu_us_per_req rss_mb errors (means
# over the runs of that target; rss the peak).
awk -F'\t' '
FNR == 1 { delete col; for (i = 1; i <= NF; i++) col[$i] = i; part = FILENAME; sub(/\/results\.tsv$/, "", part); sub(/.*\//, "", part); next }
{
    k = part SUBSEP $col["target"]
    if (!(k in n)) order[++nk] = k
    n[k]++; rps[k] += $col["rps"]; p50[k] += $col["p50_ms"]; p99[k] += $col["p99_ms"]
    cpu[k] += ($col["rps"] > 0 ? $col["sut_cpu_pct"] * 1e4 / $col["rps"] : 0)
    if ($col["rss_peak_mb"] > rss[k]) rss[k] = $col["rss_peak_mb"]
    err[k] += $col["errors"]
}
END {
    for (i = 1; i <= nk; i++) {
        k = order[i]; split(k, p, SUBSEP)
        printf "%s %s %.0f %.3f %.3f %.0f %.0f %d\n", p[1], p[2], rps[k] / n[k], p50[k] / n[k], p99[k] / n[k], cpu[k] / n[k], rss[k], err[k]
    }
}' "$run/updates/results.tsv" "$run/paced/results.tsv" "$run/reads/results.tsv" \
    $([[ -s $run/memory/results.tsv ]] && echo "$run/memory/results.tsv") \
    $([[ -s $run/redis/results.tsv ]] && echo "$run/redis/results.tsv") >"$run/figures.txt"

awk -v gw="$gw" -v run="$run" '
function get(part, t, f,   k) { k = part SUBSEP t SUBSEP f; return (k in v) ? v[k] : "" }
function num(x) { return x == "" ? "-" : x }
function ms(x) { return x == "" ? "-" : sprintf("%.2f", x) }
function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
function r2(x) { return x == "" ? "-" : sprintf("%.2fx", x) }
function plus(x) { return x == "" ? "-" : sprintf("%+.2f ms", x) }
function met(ok) { return ok ? "yes" : "**no**" }
{
    v[$1 SUBSEP $2 SUBSEP "rps"] = $3; v[$1 SUBSEP $2 SUBSEP "p50"] = $4; v[$1 SUBSEP $2 SUBSEP "p99"] = $5
    v[$1 SUBSEP $2 SUBSEP "cpu"] = $6; v[$1 SUBSEP $2 SUBSEP "rss"] = $7; v[$1 SUBSEP $2 SUBSEP "err"] = $8
    if (!($2 in seen)) { seen[$2] = 1; found[++nf] = $2 }
    # the memory part runs the gateway with the JVM options of the chart: its peak is the figure of the goal
    if ($1 != "memory" && $1 != "redis" && $7 > peak[$2]) peak[$2] = $7
}
END {
    # direct and the peers first, in slot order, then the gateway (and any other target)
    split("a-direct b-nginx c-haproxy d-scg", fixed, " ")
    for (i = 1; i <= 4; i++) if (fixed[i] in seen) { targets[++nt] = fixed[i]; placed[fixed[i]] = 1 }
    for (i = 1; i <= nf; i++) if (!(found[i] in placed)) targets[++nt] = found[i]
    name["a-direct"] = "direct (wrk -> stub)"; name["b-nginx"] = "nginx `proxy_pass`"
    name["c-haproxy"] = "HAProxy"; name["d-scg"] = "Spring Cloud Gateway (one route, retry filter)"
    name["f-floor"] = "Reactor Netty floor (forwards only, no Spring)"
    name[gw] = "mailreach-gateway"
    print "| target | updates/s (16 conns) | CPU us/update | p50 / p99 ms (16 conns) | paced: req/s | paced: p50 / p99 ms | paced: added p50 / p99 over direct | cached GET/s (16 conns) | GET p50 / p99 ms | peak RSS MB |"
    print "|---|---:|---:|---|---:|---|---|---:|---|---:|"
    d50 = get("paced", "a-direct", "p50"); d99 = get("paced", "a-direct", "p99")
    for (i = 1; i <= nt; i++) {
        t = targets[i]
        u = get("updates", t, "rps"); pr = get("paced", t, "rps"); g = get("reads", t, "rps")
        a50 = (pr != "" && t != "a-direct" && d50 != "") ? get("paced", t, "p50") - d50 : ""
        a99 = (pr != "" && t != "a-direct" && d99 != "") ? get("paced", t, "p99") - d99 : ""
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", (t in name ? name[t] : t),
            num(u), num(get("updates", t, "cpu")),
            (u == "" ? "-" : ms(get("updates", t, "p50")) " / " ms(get("updates", t, "p99"))),
            num(pr), (pr == "" ? "-" : ms(get("paced", t, "p50")) " / " ms(get("paced", t, "p99"))),
            (a50 == "" ? "-" : plus(a50) " / " plus(a99)),
            num(g), (g == "" ? "-" : ms(get("reads", t, "p50")) " / " ms(get("reads", t, "p99"))), peak[t]
    }
    print ""
    print "peak RSS: the highest of the runs of that target (for direct: the stub). CPU us/update: the target'"'"'s CPU time"
    print "per request over the 16-connection update run. Errors over all runs: " errs()
    print ""
    gu = get("updates", gw, "rps"); su = get("updates", "d-scg", "rps"); nu = get("updates", "b-nginx", "rps")
    gc = get("updates", gw, "cpu"); sc = get("updates", "d-scg", "cpu")
    ga50 = get("paced", gw, "p50") - d50; ga99 = get("paced", gw, "p99") - d99
    gg = get("reads", gw, "rps"); ng = get("reads", "b-nginx", "rps")
    print "| measure (issue 10) | this run | goal | met |"
    print "|---|---:|---|---|"
    x = ratio(gu, su); printf "| updates/s, gateway / SCG | %s | >= 2x | %s |\n", r2(x), met(x != "" && x >= 2)
    x = ratio(gu, nu); printf "| updates/s, gateway / nginx | %s | >= 0.4x | %s |\n", r2(x), met(x != "" && x >= 0.4)
    x = ratio(gc, sc); printf "| CPU per update, gateway / SCG | %s (%s vs %s us) | <= 0.5x | %s |\n", r2(x), gc, sc, met(x != "" && x <= 0.5)
    printf "| added p50 over direct, paced (8 conns, 10 ms) | %s | <= 1 ms | %s |\n", plus(ga50), met(ga50 <= 1)
    printf "| added p99 over direct, paced | %s | <= 3 ms | %s |\n", plus(ga99), met(ga99 <= 3)
    x = ratio(gg, ng); printf "| cached GET/s, gateway / nginx | %s | >= 0.75x | %s |\n", r2(x), met(x != "" && x >= 0.75)
    ru = get("redis", gw, "rps")
    if (ru != "") { x = ratio(ru, su); printf "| updates/s with Redis enabled, gateway / SCG | %s (%s vs %s; CPU %s us/update) | >= 1x | %s |\n", r2(x), ru, su, get("redis", gw, "cpu"), met(x != "" && x >= 1) }
    m = get("memory", gw, "rss")
    if (m != "") printf "| peak RSS of the gateway, the chart'"'"'s JVM options (updates, 16 conns; %s updates/s) | %s MB | <= 250 MB | %s |\n", get("memory", gw, "rps"), m, met(m <= 250)
    else printf "| peak RSS of the gateway (-Xms256m -Xmx512m; run the memory part for the chart'"'"'s options) | %s MB | <= 250 MB | %s |\n", peak[gw], met(peak[gw] <= 250)
    # what Reactor Netty alone costs: the bound under every goal measured against SCG
    fu = get("updates", "f-floor", "rps")
    if (fu != "") {
        print ""
        print "| the Reactor Netty floor (same stub, same load) | this run | the goal it bounds |"
        print "|---|---:|---|"
        printf "| updates/s, floor / SCG | %s | gateway >= 2x SCG |\n", r2(ratio(fu, su))
        printf "| updates/s, floor / nginx | %s | gateway >= 0.4x nginx |\n", r2(ratio(fu, nu))
        printf "| CPU per update, floor / SCG | %s (%s vs %s us) | gateway <= 0.5x SCG |\n", r2(ratio(get("updates", "f-floor", "cpu"), sc)), get("updates", "f-floor", "cpu"), sc
        if (get("paced", "f-floor", "rps") != "") printf "| added p50 / p99 over direct, paced | %s / %s | gateway <= 1 / 3 ms |\n", plus(get("paced", "f-floor", "p50") - d50), plus(get("paced", "f-floor", "p99") - d99)
        fm = get("memory", "f-floor", "rss")
        if (fm != "") printf "| peak RSS, the chart'"'"'s JVM options | %s MB | gateway <= 250 MB |\n", fm
    }
    # data for the chart
    f = run "/chart-throughput.dat"; g2 = run "/chart-latency.dat"
    print "# target updates_per_s cached_get_per_s" > f
    print "# target paced_p50_ms paced_p99_ms" > g2
    for (i = 1; i <= nt; i++) {
        t = targets[i]; label = (t == gw ? "mailreach-gateway" : (t == "f-floor" ? "Netty floor" : (t == "d-scg" ? "SCG" : (t == "b-nginx" ? "nginx" : (t == "a-direct" ? "direct" : t)))))
        u = get("updates", t, "rps"); g = get("reads", t, "rps")
        if (u != "" || g != "") printf "\"%s\" %s %s\n", label, (u == "" ? "-" : u), (g == "" ? "-" : g) > f
        if (get("paced", t, "rps") != "") printf "\"%s\" %s %s\n", label, get("paced", t, "p50"), get("paced", t, "p99") > g2
    }
}
function errs(   k, s, n, p) { s = ""; for (k in v) { split(k, p, SUBSEP); if (p[3] == "err" && v[k] > 0) s = s (s == "" ? "" : ", ") p[2] " " v[k] " (" p[1] ")" }; return s == "" ? "none" : s }
' "$run/figures.txt" >"$run/results.md"

gnuplot -e "run='$run'" "$here/chart.gp"
cat "$run/results.md"
echo "chart: $run/chart.png" >&2

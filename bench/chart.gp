# Renders RUN/chart.png from RUN/chart-throughput.dat and RUN/chart-latency.dat (written by
# summarize.sh). Usage: gnuplot -e "run='DIR'" chart.gp
if (!exists("run")) run = "."
set terminal pngcairo size 1100,420 font "sans,10"
set output run . "/chart.png"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set yrange [0:*]
set multiplot layout 1,2 title "mailreach-gateway vs peers, one run on 2 cores (wrk on loopback, nginx stub as MailReach)"
set title "throughput, 16 connections (req/s)"
plot run . "/chart-throughput.dat" using 2:xtic(1) title "updates (POST, 1000 ids)" lc rgb "#3b6ea5", \
     "" using 3 title "cached reads (GET)" lc rgb "#8fb8de"
set title "latency at the paced load (8 conns, 10 ms pace), ms"
plot run . "/chart-latency.dat" using 2:xtic(1) title "p50" lc rgb "#5a9e5a", \
     "" using 3 title "p99" lc rgb "#d08c2f"
unset multiplot

dofile("bench/report.lua")

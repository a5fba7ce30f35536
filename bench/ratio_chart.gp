# Shared style of Hull's ratio charts (bench/compare.sh, bench/peers/chart.sh): clustered bars
# of time ratios on a log2 axis, one column per runtime, "?" for a missing cell. The caller
# sets the output, title and ranges, then plots.
set terminal pngcairo size 900,460 font ",9" noenhanced
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y 2
set grid ytics
set key outside bottom center horizontal autotitle columnheader
set datafile missing "?"
set xtics rotate by -30

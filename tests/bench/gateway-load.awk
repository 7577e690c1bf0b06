# gateway-load.awk - writes gateway input lines for many citizens, each
# completing a marriage registration (the answers of marriage-en.txt or
# marriage-hi.txt, alternately), interleaved at random, with times going up
# from the Unix time base on, pace messages a second (default 1): the input
# of tests/cli/crash.sh and scripts/bench-gateway.sh. A third of the
# citizens then ask for "status". Keep a citizen's messages closer than the
# 30 minutes after which a conversation asks to resume: citizens / pace
# well under 1800.
#
#   awk -v citizens=150 -v base=1790000000 -v seed=7 [-v pace=20] \
#       -f gateway-load.awk marriage-en.txt marriage-hi.txt
# Lines starting with "#" in the answer files are comments.
FNR == 1 { file++ }
/^#/ { next }
{
  gsub(/\\/, "\\\\")
  gsub(/"/, "\\\"")
  answer[file, ++count[file]] = $0
}
END {
  if (citizens < 1 || file != 2) {
    print "usage: awk -v citizens=N -v base=T -f gateway-load.awk EN HI" > "/dev/stderr"
    exit 2
  }
  srand(seed + 0)
  for (c = 1; c <= citizens; c++) {
    script[c] = c % 2 ? 1 : 2
    total[c] = count[script[c]] + (c % 3 == 0)
    next_msg[c] = 1
    active[c] = c
  }
  nactive = citizens
  if (pace <= 0) pace = 1
  i = 0
  while (nactive > 0) {
    k = int(rand() * nactive) + 1
    c = active[k]
    m = next_msg[c]++
    text = m <= count[script[c]] ? answer[script[c], m] : "status"
    printf "{\"from\":\"9190%08d\",\"id\":\"c%d-m%d\",\"text\":\"%s\",\"time\":%d}\n", c, c, m, text, base + int(i / pace)
    i++
    if (next_msg[c] > total[c])
      active[k] = active[nactive--]
  }
}

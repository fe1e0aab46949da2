import sys, time
from tunnel import open_download
# usage: bulk.py GW_PORT ORIGIN_PORT SECONDS [direct]: one download, prints MB/s (load for perf/strace)
gw, origin, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = open_download(gw, origin, direct=len(sys.argv) > 4)
buf = bytearray(256 * 1024); mv = memoryview(buf)
t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < secs:
    r = s.recv_into(mv)
    if r == 0: break
    n += r
print("%.0f MB/s" % (n / (time.monotonic() - t0) / 1e6))
s.close()

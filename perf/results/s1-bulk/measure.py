import os, sys, time
from tunnel import open_download
# usage: measure.py GW_PID GW_PORT ORIGIN_PORT SECONDS -> MB/s and CPU-s/GB of the gateway
pid, gw, origin, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
tck = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tck
s = open_download(gw, origin)
buf = bytearray(256 * 1024); mv = memoryview(buf)
t_warm = time.monotonic() + 1
while time.monotonic() < t_warm:
    s.recv_into(mv)
c0 = cpu(); t0 = time.monotonic(); n = 0
while time.monotonic() - t0 < secs:
    r = s.recv_into(mv)
    if r == 0: break
    n += r
dt = time.monotonic() - t0; c1 = cpu()
print("%.0f MB/s  %.2f CPU-s/GB  load %s" % (n / dt / 1e6, (c1 - c0) / (n / 1e9), open("/proc/loadavg").read().split()[0]))
s.close()

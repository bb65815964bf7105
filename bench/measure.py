#!/usr/bin/env python3
# Runs a benchmark consumer and reports what it cost, for bench/*_cdc.sh.
#
#   measure.py exit LOG -- CMD...    runs CMD to its end; prints "wall cpu rss_kb" (CPU and peak
#                                    RSS from /usr/bin/time)
#   measure.py metric LOG URL ROWS -- CMD...
#                                    runs rivven-connect until its source has stored ROWS records
#                                    (Prometheus at URL), reads its CPU time and VmHWM there,
#                                    prints "wall cpu rss_kb", then SIGTERMs it
#                                    (MEASURE_KIND=sink: until its sinks have written ROWS)
# MEASURE_TIMEOUT (seconds, default 300) bounds each run. Output of CMD goes to LOG.
import os, re, signal, subprocess, sys, time, urllib.request
mode, log = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
sep = rest.index('--')
args, cmd = rest[:sep], rest[sep + 1:]
timeout = float(os.environ.get('MEASURE_TIMEOUT', '300'))
tick = os.sysconf('SC_CLK_TCK')

def fail(msg, p):
    try: os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError: pass
    sys.exit(f'bench: {msg} (log: {open(log).read()[-2000:]})')

name = os.path.basename(cmd[0])
if mode == 'exit':
    # Through /usr/bin/time: a child forked from this interpreter would start with its RSS.
    cmd = ['/usr/bin/time', '-f', '%U %S %M', '-o', log + '.time'] + cmd
with open(log, 'w') as out:
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
if mode == 'exit':
    while True:
        pid, status = os.waitpid(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            fail(f'{name} did not finish in {timeout:.0f} s', p)
        time.sleep(0.002)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f'bench: {name} exited with {p.returncode}: {open(log).read()[-2000:]}')
    user, system, rss_kb = open(log + '.time').read().split()[-3:]
    print(f'{wall:.4f} {float(user) + float(system):.3f} {rss_kb}')
else:
    url, rows = args[0], int(args[1])
    kind = os.environ.get('MEASURE_KIND', 'source')
    pattern = re.compile(r'^rivven_connector_records_total\{[^}]*kind="' + kind + r'"[^}]*\} (\d+)', re.M)
    while True:
        if p.poll() is not None:
            fail(f'rivven-connect exited with {p.returncode} before storing {rows} rows', p)
        if time.monotonic() - t0 > timeout:
            fail(f'rivven-connect did not store {rows} rows in {timeout:.0f} s', p)
        try:
            body = urllib.request.urlopen(url, timeout=1).read().decode()
            m = pattern.search(body)
            if m and int(m.group(1)) >= rows:
                with open(log + '.metrics', 'w') as f:  # the last scrape, for callers
                    f.write(body)
                break
        except OSError:
            pass
        time.sleep(0.02)
    wall = time.monotonic() - t0
    with open(f'/proc/{p.pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / tick
    with open(f'/proc/{p.pid}/status') as f:
        hwm = int(re.search(r'^VmHWM:\s+(\d+)', f.read(), re.M).group(1))
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        fail('rivven-connect did not stop within 60 s of SIGTERM', p)
    if p.returncode != 0:
        sys.exit(f'bench: rivven-connect exited with {p.returncode} after SIGTERM: {open(log).read()[-2000:]}')
    print(f'{wall:.4f} {cpu:.3f} {hwm}')

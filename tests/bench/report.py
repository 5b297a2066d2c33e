#!/usr/bin/env python3
"""Turns compare-nginx.sh's measurements (JSON lines) into a table and the ratio line."""
import json
import math
import sys
from collections import OrderedDict


def load(path):
    cases = OrderedDict()
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            cases.setdefault(r["case"], {})[r["server"]] = r
    return cases


def geomean(values):
    values = [v for v in values if v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def us(v):
    return f"{v / 1000:.1f}ms" if v >= 10000 else f"{v}us"


def main():
    cases = load(sys.argv[1])
    rows = []
    ratios = {"handshake_full": [], "handshake_resumed": [], "keepalive": []}
    for case, by in cases.items():
        i, n = by.get("imcb"), by.get("nginx")
        if not i or not n:
            continue
        if i["mode"] == "memory":
            if i["conns"] == 0:
                rows.append((case, f"{i['rss_kb'] / 1024:.1f} MiB", f"{n['rss_kb'] / 1024:.1f} MiB",
                             f"{n['rss_kb'] / i['rss_kb']:.2f}x", "", ""))
            else:
                pi = (i["rss_kb"] - i["rss_base_kb"]) / i["conns"]
                pn = (n["rss_kb"] - n["rss_base_kb"]) / n["conns"]
                rows.append((case, f"{pi:.1f} KiB/conn", f"{pn:.1f} KiB/conn",
                             f"{pn / pi:.2f}x" if pi > 0 else "-", "", ""))
            continue
        if i["mode"] == "burst":
            rows.append((case, f"{i['requests']}/{i['conns']} in {i['seconds']:.2f}s",
                         f"{n['requests']}/{n['conns']} in {n['seconds']:.2f}s",
                         f"{n['seconds'] / i['seconds']:.2f}x", f"max {us(i['max_us'])} / {us(n['max_us'])}",
                         f"{i['errors']} / {n['errors']} errors"))
            continue
        key = "handshake_rate" if i["mode"] == "handshake" else "rate"
        ratio = i[key] / n[key] if n[key] else float("nan")
        if case.startswith("handshake full"):
            ratios["handshake_full"].append(ratio)
        elif case.startswith("handshake resumed"):
            ratios["handshake_resumed"].append(ratio)
        elif case.startswith("keepalive"):
            ratios["keepalive"].append(ratio)
        cpu = lambda r: 1e6 * r["server_cpu_s"] / max(1, r["requests"])
        lat = f"p50 {us(i['p50_us'])}/{us(n['p50_us'])} p99 {us(i['p99_us'])}/{us(n['p99_us'])} max {us(i['max_us'])}/{us(n['max_us'])}"
        cpu_text = f"srv {cpu(i):.0f}/{cpu(n):.0f}us/req, gen {100 * i['cpu_s'] / i['seconds']:.0f}%/{100 * n['cpu_s'] / n['seconds']:.0f}%"
        if i["errors"] or n["errors"]:
            cpu_text += f", errors {i['errors']}/{n['errors']}"
        unit = "hs/s" if key == "handshake_rate" else "req/s"
        if i["mode"] == "handshake" and i["resumed"]:
            unit += f" ({100 * i['resumed'] // max(1, i['handshakes'])}%/{100 * n['resumed'] // max(1, n['handshakes'])}% resumed)"
        rows.append((case, f"{i[key]:.0f} {unit}", f"{n[key]:.0f}", f"{ratio:.2f}x", lat, cpu_text))

    header = ("case", "imcb", "nginx", "imcb/nginx", "latency imcb/nginx", "CPU imcb/nginx")
    widths = [max(len(str(r[c])) for r in rows + [header]) for c in range(len(header))]
    fmt = " | ".join("{:<%d}" % w for w in widths)
    print(fmt.format(*header))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(fmt.format(*r))
    print()
    print("imcb/nginx ratios: " + " ".join(f"{k}={geomean(v):.2f}" for k, v in ratios.items()))


if __name__ == "__main__":
    main()

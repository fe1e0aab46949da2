#!/usr/bin/env python3
"""Assembles perf/results/s1-bulk.md: the prose in template.md around blocks cut verbatim from
generated outputs (the suite's reports in ../s1-before, ../s1-after and ../s1-micro, and the *.log files here:
perf report, strace -c and the A/B scripts' consoles). The shell scripts here are the ad-hoc
harness those logs came from (they expect a scratch directory /tmp/s1prof)."""
import re, sys, pathlib

here = pathlib.Path(__file__).resolve().parent
root = here.parent
before = (root / "s1-before" / "latest.md").read_text()
after = (root / "s1-micro" / "latest.md").read_text()
final = (root / "s1-after" / "latest.md").read_text()
logs = here

def section(md, title, stop):
    start = md.index(title)
    end = md.index(stop, start + 1)
    return md[start:end].strip()

def header(md):
    lines = [l for l in md.splitlines() if l.startswith("> **The machine") or l.startswith("Command:")]
    return "\n".join(lines)

def budget(md):
    rows = [l for l in md.splitlines() if l.startswith("| budget") or l.startswith("|---|---|---|") or l.startswith("| S1 bulk") or l.startswith("| CPU-µs per request")]
    return "\n".join(rows)

def demote(block):
    return re.sub(r"^## ", "#### ", block, flags=re.M)

def log(name):
    return (logs / name).read_text().rstrip()

text = ((here / "template.md").read_text()
        .replace("{{BEFORE_HEADER}}", header(before))
        .replace("{{AFTER_HEADER}}", header(after))
        .replace("{{FINAL_HEADER}}", header(final))
        .replace("{{FINAL_BUDGET}}", budget(final))
        .replace("{{FINAL_S1}}", demote(section(final, "## S1", "## S2")))
        .replace("{{BEFORE_BUDGET}}", budget(before))
        .replace("{{AFTER_BUDGET}}", budget(after))
        .replace("{{BEFORE_S1}}", demote(section(before, "## S1", "## S2")))
        .replace("{{AFTER_S1}}", demote(section(after, "## S1", "## S2")))
        .replace("{{BEFORE_S4}}", demote(section(before, "## S4", "## S5")))
        .replace("{{AFTER_S4}}", demote(section(after, "## S4", "## S5"))))
for name in sorted(p.name for p in logs.glob("*.log")):
    text = text.replace("{{LOG:" + name + "}}", log(name))
missing = re.findall(r"\{\{[^}]+\}\}", text)
if missing:
    sys.exit("unfilled: " + ", ".join(missing))
(root / "s1-bulk.md").write_text(text)
print("wrote", root / "s1-bulk.md")

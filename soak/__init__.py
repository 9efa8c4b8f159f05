"""The multi-process soak (`make soak`): the whole deployment, faulted and disturbed, for minutes.

stack.py    the processes: Redis of its own, simulators, two gateways, two workers
traffic.py  mixed reads, upserts, webhooks and syncs, timed and counted by kind and code
ledger.py   after the run: what was written, dead-lettered, duplicated; the DLQ replay
report.py   soak/results/last.json and the "Soak" section of RELIABILITY.md
run.py      the command: `python -m soak.run --duration 180`
"""

"""Scan history (issue 7): what changed since the last scan, removal progress, schedules.

records.py   the plain data the other modules exchange (ScanRecord, Mark, Diff…)
store.py     SQLite store: migrations, one transaction per scan, marks, checkpoints
diff.py      new / gone / resurfaced / changed between two scans; removal lifecycle
schedule.py  systemd user timer or crontab line; lock; what is due
recorder.py  Recorder: one scan's history (resume, "not me" hidden, the diff, the save)
"""

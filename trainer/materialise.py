"""An exercise's setup made real in a fresh sandbox: files, links, modes, history, /etc, engines.

This module owns the host side of a setup, where the trainer (root in CI) writes into a tree that
will belong to the learner: every path is walked from a directory fd and follows no link, a symbolic
link may only point inside HOME, a hard link only to a file the setup made, and a mode is set
through the entry's own fd. ``setup_file_problems`` states the same rules for `trainer lint`.

    materialise(root, exercise.setup, engines, "ksh93", env)
    setup_file_problems(exercise.setup.files)      # [] or ["files[1] lnk: its target leaves HOME"]
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sandbox.editors import install_editor
from sandbox.isolation import SandboxRoot
from sandbox.safefs import DirFd, UnsafePath, chmod_entry, parts_of, write_new
from sandbox.shell import install_login, write_history
from trainer.errors import TrainerError
from trainer.model import FileSpec, Setup

if TYPE_CHECKING:
    from trainer.runner import Engines

#: How long one setup command may run.
SETUP_TIMEOUT_S = 60.0
_FAILED = "trainer-setup-command-failed"


def setup_file_problems(files: Sequence[FileSpec]) -> list[str]:
    """What breaks the rules for setup files (see the module docstring), one sentence each.

    >>> setup_file_problems([FileSpec("a.txt"), FileSpec("l", type="symlink", target="../../etc/shadow")])
    ["files[1] l: the link's target ../../etc/shadow leaves HOME (give a path inside it, relative to the link)"]
    """
    problems: list[str] = []
    made: set[str] = set()
    for i, spec in enumerate(files):
        where = f"files[{i}] {spec.path}"
        try:
            path = "/".join(parts_of(spec.path))
        except UnsafePath:
            problems.append(f"{where}: the path leaves HOME (give it relative to HOME, without ..)")
            continue
        if spec.type == "symlink":
            target = spec.target or ""
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            if not target or target.startswith("/") or joined == ".." or joined.startswith("../"):
                problems.append(f"{where}: the link's target {target or '(none)'} leaves HOME (give a path inside "
                                "it, relative to the link)")
            if spec.mode is not None:
                problems.append(f"{where}: a symbolic link has no mode of its own (set the mode of its target)")
        elif spec.type == "hardlink":
            source = spec.target or ""
            try:
                source = "/".join(parts_of(source))
            except UnsafePath:
                source = ""
            if source not in made:
                problems.append(f"{where}: a hard link's target must be a file made earlier in the same setup "
                                f"(got {spec.target or '(none)'})")
        if spec.type in ("file", "hardlink"):
            made.add(path)
    return problems


def materialise(root: SandboxRoot, setup: Setup, engines: Engines, shell_engine: str | None,
                env: Mapping[str, str] | None = None) -> None:
    """Create the setup's files, links, history and /etc files, then give HOME to the sandbox user.

    Setup commands run last, as the learner, with ``env`` added (kubectl drills: the kubeconfig).
    """
    problems = setup_file_problems(setup.files)
    if problems:
        raise TrainerError(f"setup refused: {problems[0]}")
    try:
        with DirFd.open(root.home) as home:
            for spec in setup.files:
                _create(home, spec)
            for spec in sorted((s for s in setup.files if s.mode is not None), key=lambda s: -s.path.count("/")):
                assert spec.mode is not None
                parent, name = home.parent_of(spec.path)
                with parent:
                    chmod_entry(parent, name, spec.mode)
    except (OSError, UnsafePath) as exc:
        raise TrainerError(f"setup refused: {exc}") from exc
    if setup.profile is not None:
        root.write_etc("profile", setup.profile)
    if setup.environment is not None:
        root.write_etc("environment", setup.environment)
    if shell_engine is not None and engines.shell is not None:
        write_history(root, shell_engine, setup.history)
        install_login(root, engines.shell[1])
    if engines.editor is not None:
        install_editor(root, *engines.editor)
    root.hand_over()
    if not setup.commands:
        return
    # One sandboxed shell runs them all (a sandbox start costs more than most commands); each runs in its
    # own subshell, in order, and the first that fails stops the rest and is named.
    script = "".join(f"(\n{command}\n) || {{ s=$?; echo {_FAILED} {n} $s >&2; exit $s; }}\n"
                     for n, command in enumerate(setup.commands))
    done = root.run(["/bin/sh", "-c", script], env=root.environment(env), timeout=SETUP_TIMEOUT_S)
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace")
        failed = re.search(rf"^{_FAILED} (\d+) (\d+)$", error, re.M)
        command = setup.commands[int(failed.group(1))] if failed else "; ".join(setup.commands)
        said = error[:failed.start()] if failed else error
        raise TrainerError(f"setup command failed ({done.returncode}): {command}: {said.strip()[-200:]}")


def _create(home: DirFd, spec: FileSpec) -> None:
    parent, name = home.parent_of(spec.path, create=True)
    with parent:
        if spec.type == "dir":
            try:
                os.mkdir(name, 0o755, dir_fd=parent.fd)
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(name, dir_fd=parent.fd).st_mode):
                    raise
        elif spec.type == "symlink":
            os.symlink(spec.target or "", name, dir_fd=parent.fd)
        elif spec.type == "hardlink":
            source_dir, source = home.parent_of(spec.target or "")
            with source_dir:
                if not stat.S_ISREG(os.lstat(source, dir_fd=source_dir.fd).st_mode):
                    raise UnsafePath(f"{spec.path!r}: a hard link's target must be a regular file")
                os.link(source, name, src_dir_fd=source_dir.fd, dst_dir_fd=parent.fd, follow_symlinks=False)
        else:
            write_new(parent, name, spec.content.encode("utf-8"))

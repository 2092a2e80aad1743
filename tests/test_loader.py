"""Loading packs: schema, the pack contract, and errors that name file and line (pure: no programs)."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import PACKS
from trainer.cli import main
from trainer.errors import PackError
from trainer.loader import instantiate, load_library
from trainer.schema import pack_schema

GOOD_EXERCISE = """\
  - id: {id}
    kind: shell
    params:
      name: {{word: file}}
    title: {{en: "T", ko: "제목"}}
    prompt: {{en: "Make {{{{name}}}} executable", ko: "{{{{name}}}} 에 실행 권한"}}
    setup:
      files:
        - {{path: "{{{{name}}}}", content: "x\\n", mode: "644"}}
    checks:
      - {{kind: file_mode, id: result, path: "{{{{name}}}}", mode: "744"}}
    hints:
      - {{en: "u+x", ko: "u+x"}}
    solution: {{keys: "chmod u+x {{{{name}}}}<CR>"}}
    wrong:
      - {{keys: "chmod a+x {{{{name}}}}<CR>", fails: [result]}}
      - {{keys: "chmod u+w {{{{name}}}}<CR>"}}
"""


def write_pack(top: Path, name: str, exercises: str) -> Path:
    """A pack whose topic file has three header lines: exercise line n is file line n + 3."""
    pack = top / name
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text(f"pack: {name}\ntitle: {{en: P, ko: 팩}}\ntopics: [t.yaml]\n",
                                    encoding="utf-8")
    (pack / "t.yaml").write_text(f"topic: t-{name}\ntitle: {{en: T, ko: 주제}}\nexercises:\n{exercises}",
                                 encoding="utf-8")
    return pack / "t.yaml"


def lint(top: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["lint", str(top)], env={}, out=out)
    return code, out.getvalue()


def test_a_good_pack_loads(tmp_path: Path) -> None:
    write_pack(tmp_path, "good", GOOD_EXERCISE.format(id="ok-1"))
    library = load_library(tmp_path)
    assert library.errors == []
    ex = instantiate(library.template("ok-1"), seed=2)
    name = ex.params["name"]
    assert ex.setup.files[0].path == name and ex.setup.files[0].mode == 0o644
    assert ex.solution.keys_for("ksh93") == f"chmod u+x {name}<CR>"
    assert ex.checks[0].args == {"path": name, "mode": "744"}
    assert ex.prompt.ko == f"{name} 에 실행 권한"


@pytest.mark.parametrize(("broken", "line", "fragment"), [
    ("  - id: bad\n    kind: shell\n    title: [unclosed\n", 7, "bad YAML"),
    (GOOD_EXERCISE.format(id="bad").replace("kind: file_mode", "kind: file_colour"), 14,
     "unknown check kind 'file_colour'"),
    (GOOD_EXERCISE.format(id="bad").replace('    solution: {keys: "chmod u+x {{name}}<CR>"}\n', ""), 1,
     "'solution' is a required property"),
    (GOOD_EXERCISE.format(id="bad").replace("mode: \"744\"}", "mode: \"744\", colour: red}"), 14,
     "colour"),
    (GOOD_EXERCISE.format(id="bad").replace("fails: [result]", "fails: [nothing]"), 19, "no check named"),
    (GOOD_EXERCISE.format(id="bad").replace("{{name}} executable", "{{nme}} executable"), 1,
     "unknown parameter 'nme'"),
    (GOOD_EXERCISE.format(id="bad").replace("chmod u+x {{name}}<CR>", "chmod u+x<Bogus>"), 17, "Bogus"),
    (GOOD_EXERCISE.format(id="bad").replace('title: {en: "T", ko: "제목"}', 'title: {en: "T"}'), 8,
     "'ko' is a required property"),
    (GOOD_EXERCISE.format(id="bad").replace('- {en: "u+x", ko: "u+x"}', '- {en: "u+x", ko: ""}'), 16,
     "should be non-empty"),
])
def test_broken_pack_fails_lint_with_file_and_line_while_others_load(
        tmp_path: Path, broken: str, line: int, fragment: str) -> None:
    write_pack(tmp_path, "good", GOOD_EXERCISE.format(id="ok-1"))
    bad_file = write_pack(tmp_path, "bad", broken)
    code, text = lint(tmp_path)
    assert code == 2
    errors = [x for x in text.splitlines() if x.startswith(str(bad_file))]
    assert errors, text
    assert any(fragment in e for e in errors), text
    if line > 1:
        assert any(e.startswith(f"{bad_file}:{line}:") for e in errors), text
    library = load_library(tmp_path)
    assert [p.name for p in library.packs] == ["good"]


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    write_pack(tmp_path, "one", GOOD_EXERCISE.format(id="same"))
    write_pack(tmp_path, "two", GOOD_EXERCISE.format(id="same"))
    library = load_library(tmp_path)
    assert any("already used" in e for e in library.errors)


def test_vi_needs_a_file_and_quiz_an_answer(tmp_path: Path) -> None:
    vi = GOOD_EXERCISE.format(id="v").replace("kind: shell", "kind: vi")
    quiz = GOOD_EXERCISE.format(id="q").replace("kind: shell", "kind: quiz")
    write_pack(tmp_path, "p", vi + quiz)
    errors = load_library(tmp_path).errors
    assert any("setup.open" in e for e in errors)
    assert any("solution answer" in e for e in errors)


def test_shipped_packs_lint_clean() -> None:
    code, text = lint(PACKS)
    assert code == 0, text
    assert "0 errors" in text


def test_select_by_id_pack_and_topic() -> None:
    library = load_library(PACKS)
    assert [t.id for t in library.select(["chmod-owner-exec"])] == ["chmod-owner-exec"]
    assert len(library.select(["starter"])) == len([t for t in library.templates if t.pack == "starter"])
    assert {t.topic for t in library.select(["vi-basics"])} == {"vi-basics"}
    with pytest.raises(PackError, match="no exercise, pack or topic"):
        library.select(["nothing-like-this"])


def test_exported_schema_is_valid_and_accepts_the_shipped_files() -> None:
    out = io.StringIO()
    assert main(["schema"], env={}, out=out) == 0
    schema = json.loads(out.getvalue())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(pack_schema())
    for path in PACKS.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not list(validator.iter_errors(data)), path


def test_starter_pack_has_every_kind_with_both_languages() -> None:
    library = load_library(PACKS)
    starter = [instantiate(t, 0) for t in library.templates if t.pack == "starter"]
    kinds = [e.kind for e in starter]
    assert kinds.count("shell") >= 3 and kinds.count("vi") >= 3 and kinds.count("quiz") >= 2
    for e in starter:
        assert e.title.en and e.title.ko and e.prompt.en and e.prompt.ko and e.hints
        assert len(e.wrong) >= 2


def test_seeds_change_the_variant() -> None:
    template = load_library(PACKS).template("vi-goto-line")
    variants = {instantiate(template, seed).params["target"] for seed in range(8)}
    assert len(variants) > 1


def test_lint_of_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    code, text = lint(tmp_path / "none")
    assert code == 2 and "no pack.yaml" in text


def test_copy_of_shipped_pack_loads_from_elsewhere(tmp_path: Path) -> None:
    shutil.copytree(PACKS / "starter", tmp_path / "starter")
    assert load_library(tmp_path).errors == []
    text = textwrap.dedent("""\
        pack: x
        title: {en: X, ko: 엑스}
        topics: [missing.yaml]
        """)
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "pack.yaml").write_text(text, encoding="utf-8")
    errors = load_library(tmp_path).errors
    assert any(e.startswith(f"{tmp_path / 'x' / 'pack.yaml'}:3:") and "missing.yaml" in e for e in errors)


def test_packs_come_in_their_order(tmp_path: Path) -> None:
    write_pack(tmp_path, "alpha", GOOD_EXERCISE.format(id="a-1"))
    write_pack(tmp_path, "zulu", GOOD_EXERCISE.format(id="z-1"))
    (tmp_path / "zulu" / "pack.yaml").write_text("pack: zulu\norder: 1\ntitle: {en: Z, ko: 지}\ntopics: [t.yaml]\n",
                                                 encoding="utf-8")
    assert [p.name for p in load_library(tmp_path).packs] == ["zulu", "alpha"]
    assert load_library(PACKS).packs[0].name == "starter"


def test_a_drill_graded_on_its_method_needs_a_wrong_attempt_that_fails_only_there(tmp_path: Path) -> None:
    method = GOOD_EXERCISE.format(id="m").replace(
        '      - {kind: file_mode, id: result, path: "{{name}}", mode: "744"}\n',
        '      - {kind: file_mode, id: result, path: "{{name}}", mode: "744"}\n'
        '      - {kind: not_ran, id: symbolic, program: chmod, notation: octal}\n')
    method = method.replace("fails: [result]}", "fails: [result, symbolic]}")
    write_pack(tmp_path, "p", method)
    errors = load_library(tmp_path).errors
    assert any("m: a drill graded on its method needs a wrong attempt that reaches the result another way "
               "(fails: only on not_ran, symbolic)" in e for e in errors), errors
    fixed = method.replace('      - {keys: "chmod u+w {{name}}<CR>"}',
                           '      - {keys: "chmod 744 {{name}}<CR>", fails: [symbolic]}\n'
                           '      - {keys: "chmod u+w {{name}}<CR>", fails: [result]}')
    shutil.rmtree(tmp_path / "p")
    write_pack(tmp_path, "p", fixed)
    assert load_library(tmp_path).errors == []

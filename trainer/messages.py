"""Every learner-facing sentence the trainer itself says, in English and Korean.

Grading reasons are keyed by a message id; ``say(id, **values)`` fills them in.

>>> say("file_missing", path="a.txt").get("ko")
'a.txt 파일이 없습니다.'
"""

from __future__ import annotations

from trainer.model import Text

MESSAGES: dict[str, Text] = {
    "file_missing": Text("{path} does not exist.", "{path} 파일이 없습니다."),
    "file_present": Text("{path} should not exist any more.", "{path} 파일이 남아 있으면 안 됩니다."),
    "content_differs": Text("{path} does not have the expected content.",
                            "{path} 파일의 내용이 기대한 내용과 다릅니다."),
    "content_no_match": Text("{path} does not match /{pattern}/.", "{path} 파일이 /{pattern}/ 에 맞지 않습니다."),
    "content_lacks": Text("{path} does not contain {text!r}.", "{path} 파일에 {text!r} 가 없습니다."),
    "mode_differs": Text("{path} has mode {got} ({got_sym}), expected {want} ({want_sym}).",
                         "{path} 의 권한이 {got} ({got_sym}) 입니다. 기대한 권한은 {want} ({want_sym}) 입니다."),
    "type_differs": Text("{path} is a {got}, expected a {want}.", "{path} 의 종류가 {got} 입니다. 기대한 종류는 {want} 입니다."),
    "links_differ": Text("{path} has {got} links, expected {want}.",
                         "{path} 의 링크 수가 {got} 입니다. 기대한 값은 {want} 입니다."),
    "owner_differs": Text("{path} belongs to {got}, expected {want}.",
                          "{path} 의 소유자가 {got} 입니다. 기대한 소유자는 {want} 입니다."),
    "screen_lacks": Text("The screen does not show {text!r}.", "화면에 {text!r} 가 보이지 않습니다."),
    "screen_shows": Text("The screen should not show {text!r}.", "화면에 {text!r} 가 보이면 안 됩니다."),
    "no_screen": Text("There was no screen to look at.", "볼 수 있는 화면이 없습니다."),
    "cursor_differs": Text("The cursor is at line {got_row}, column {got_col}; expected line {want_row}, "
                           "column {want_col}.",
                           "커서가 {got_row}행 {got_col}열에 있습니다. {want_row}행 {want_col}열이어야 합니다."),
    "command_missing": Text("No command matching /{pattern}/ ran.", "/{pattern}/ 에 맞는 명령이 실행되지 않았습니다."),
    "command_status": Text("A command matching /{pattern}/ ran but exited with {got}, expected {want}.",
                           "/{pattern}/ 에 맞는 명령이 실행됐지만 종료 상태가 {got} 입니다. 기대한 값은 {want} 입니다."),
    "command_forbidden": Text("This command should not be used here: {command}",
                              "여기서는 이 명령을 쓰면 안 됩니다: {command}"),
    "keys_lack": Text("Your keys do not include {keys}.", "입력한 키에 {keys} 가 없습니다."),
    "keys_forbidden": Text("Your keys include {keys}, which this drill asks you not to use.",
                           "이 연습에서 쓰지 말아야 할 {keys} 를 입력했습니다."),
    "keys_over": Text("You used {got} keys; the limit is {want}.", "{got}개의 키를 썼습니다. 한도는 {want}개입니다."),
    "exit_differs": Text("The program exited with {got}, expected {want}.",
                         "프로그램의 종료 상태가 {got} 입니다. 기대한 값은 {want} 입니다."),
    "still_running": Text("The program is still running: leave it first.",
                          "프로그램이 아직 실행 중입니다. 먼저 종료하세요."),
    "answer_missing": Text("No answer was given.", "답이 없습니다."),
    "answer_wrong": Text("The answer {got!r} is not right.", "답 {got!r} 는 맞지 않습니다."),
    "probe_failed": Text("The trainer could not measure the expected value ({command}).",
                         "기대값을 측정하지 못했습니다 ({command})."),
    "probe_differs": Text("`{command}` prints {got!r}, expected {want!r}.",
                          "`{command}` 의 출력이 {got!r} 입니다. 기대한 출력은 {want!r} 입니다."),
}


def say(message_id: str, **values: object) -> Text:
    """The message ``message_id`` with ``values`` filled in, in both languages."""
    return MESSAGES[message_id].format(**values)

"""Every learner-facing sentence the trainer itself says, in English and Korean.

Grading reasons are keyed by a message id; ``say(id, **values)`` fills them in.

>>> say("file_missing", path="a.txt").get("ko")
'a.txt 파일이 없습니다.'
"""

from __future__ import annotations

from sandbox.session import Note
from trainer.particles import format_text
from trainer.text import Text

MESSAGES: dict[str, Text] = {
    # What happened to an attempt (sandbox Notes: note_<code>).
    "note_flooded": Text("The program wrote more than {kib} KiB to the terminal and was stopped.",
                         "프로그램이 터미널에 {kib} KiB 넘게 출력해서 멈췄습니다."),
    "note_wall_time": Text("The attempt ran past its {seconds} s limit and was ended.",
                           "시도가 제한 시간 {seconds}초를 넘어서 끝났습니다."),
    "note_not_settled": Text("The program was still busy after {keys}; the keys after it went on regardless.",
                             "{keys} 다음에도 프로그램이 계속 바빴습니다. 그 뒤의 키는 그대로 보냈습니다."),
    "note_no_marks": Text("The shell's prompt was changed (PS1), so exit statuses are unknown.",
                          "셸 프롬프트(PS1)가 바뀌어서 명령의 종료 상태를 알 수 없습니다."),
    "note_history_unreadable": Text("The shell's history file is not a regular file any more ({what}), so what "
                                    "ran cannot be read.",
                                    "셸의 기록 파일이 더 이상 일반 파일이 아니라서({what}) 실행한 명령을 읽을 수 없습니다."),
    "note_disk_full": Text("The sandbox's {mib} MiB of disk are used up: further writes fail.",
                           "연습 공간의 디스크 {mib} MiB를 다 썼습니다. 더 쓰면 실패합니다."),
    "note_check_failed": Text("The trainer could not look at what you did: {error}",
                              "지금 한 작업을 확인할 수 없었습니다: {error}"),
    "note_disk_budget": Text("The attempt wrote more than {mib} MiB to disk, so its programs were stopped.",
                             "시도가 디스크에 {mib} MiB 넘게 써서 프로그램을 멈췄습니다."),
    "file_missing": Text("{path} does not exist.", "{path} 파일이 없습니다."),
    "file_present": Text("{path} should not exist any more.", "{path} 파일이 남아 있으면 안 됩니다."),
    "content_differs": Text("{path} does not have the expected content.",
                            "{path} 파일의 내용이 기대한 내용과 다릅니다."),
    "content_no_match": Text("{path} does not match /{pattern}/.", "{path} 파일이 /{pattern}/에 맞지 않습니다."),
    "content_lacks": Text("{path} does not contain {text!r}.", "{path} 파일에 {text!r:가} 없습니다."),
    "mode_differs": Text("{path} has mode {got} ({got_sym}), expected {want} ({want_sym}).",
                         "{path}의 권한이 {got} ({got_sym})입니다. 기대한 권한은 {want} ({want_sym})입니다."),
    "type_differs": Text("{path} is a {got}, expected a {want}.", "{path}의 종류가 {got}입니다. 기대한 종류는 {want}입니다."),
    "links_differ": Text("{path} has {got} links, expected {want}.",
                         "{path}의 링크 수가 {got}입니다. 기대한 값은 {want}입니다."),
    "owner_differs": Text("{path} belongs to {got}, expected {want}.",
                          "{path}의 소유자가 {got}입니다. 기대한 소유자는 {want}입니다."),
    "screen_lacks": Text("The screen does not show {text!r}.", "화면에 {text!r:가} 보이지 않습니다."),
    "screen_shows": Text("The screen should not show {text!r}.", "화면에 {text!r:가} 보이면 안 됩니다."),
    "no_screen": Text("There was no screen to look at.", "볼 수 있는 화면이 없습니다."),
    "cursor_differs": Text("The cursor is at line {got_row}, column {got_col}; expected line {want_row}, "
                           "column {want_col}.",
                           "커서가 {got_row}행 {got_col}열에 있습니다. {want_row}행 {want_col}열이어야 합니다."),
    "command_missing": Text("No command matching /{pattern}/ ran.", "/{pattern}/에 맞는 명령이 실행되지 않았습니다."),
    "command_status": Text("A command matching /{pattern}/ ran but exited with {got}, expected {want}.",
                           "/{pattern}/에 맞는 명령이 실행됐지만 종료 상태가 {got}입니다. 기대한 값은 {want}입니다."),
    "command_forbidden": Text("This command should not be used here: {command}",
                              "여기서는 이 명령을 쓰면 안 됩니다: {command}"),
    "ran_missing": Text("This drill asks for `{want}`; you ran `{did}`.",
                        "이 연습은 `{want}` 명령을 요구합니다. 실행한 명령은 `{did}`입니다."),
    "ran_nothing": Text("This drill asks for `{want}`; no command ran.",
                        "이 연습은 `{want}` 명령을 요구합니다. 실행한 명령이 없습니다."),
    "ran_status": Text("`{did}` ran but ended with status {got}; it should succeed (status {want}).",
                       "`{did}` 명령이 실행됐지만 종료 상태가 {got}입니다. 성공해야 합니다(상태 {want})."),
    "ran_forbidden": Text("You ran `{did}`, which this drill asks you not to use.",
                          "이 연습에서 쓰지 말아야 할 `{did}` 명령을 실행했습니다."),
    "you_ran": Text("(You ran `{did}`.)", "(실행한 명령: `{did}`)"),
    "you_ran_nothing": Text("(No command ran.)", "(실행한 명령이 없습니다.)"),
    "you_ran_status": Text("(`{did}` ended with status {got}.)", "(`{did}`의 종료 상태: {got})"),
    "how_vi": Text("recall it from the history in vi mode (ESC k, /pattern)",
                   "vi 모드에서 기록을 불러와(ESC k, /패턴) 실행해야 합니다"),
    "how_r": Text("rerun it with ksh's r", "ksh의 r로 다시 실행해야 합니다"),
    "how_typed": Text("type it", "직접 입력해야 합니다"),
    "recall_via_typed": Text("You typed `{did}` again; this drill asks you to {want}.",
                             "`{did}` 명령을 다시 입력했습니다. 이 연습에서는 {want}."),
    "recall_via_r": Text("You reran `{did}` with r; this drill asks you to {want}.",
                         "`{did}` 명령을 r로 다시 실행했습니다. 이 연습에서는 {want}."),
    "recall_via_vi": Text("You recalled `{did}` with vi-mode keys; this drill asks you to {want}.",
                          "`{did}` 명령을 vi 모드 키로 불러왔습니다. 이 연습에서는 {want}."),
    "recall_edits": Text("You recalled `{did}` but changed it without {edits} (you used: {used}).",
                         "`{did}` 명령을 불러왔지만 {edits} 없이 고쳤습니다(사용한 명령: {used})."),
    "recall_retyped": Text("You recalled the line but typed {text!r} again for `{did}`.",
                           "`{did}` 명령을 불러왔지만 {text!r} 부분을 다시 입력했습니다."),
    "recall_moves": Text("You recalled `{did}` without {moves} (you moved with: {used}).",
                         "`{did}` 명령을 {moves} 없이 불러왔습니다(사용한 이동: {used})."),
    "recall_no_subst": Text("You reran `{did}` with r, but without old=new.",
                            "`{did}` 명령을 r로 다시 실행했지만 old=new 바꾸기를 쓰지 않았습니다."),
    "recall_unknown": Text("`{did}` ran, but your keys do not show how that line was made.",
                           "`{did}` 명령이 실행됐지만, 입력한 키로는 그 줄을 어떻게 만들었는지 알 수 없습니다."),
    "ex_missing": Text("This drill asks for the ex command {want}; you ran {did}.",
                       "이 연습은 ex 명령({want})을 요구합니다. 실행한 ex 명령: {did}"),
    "ex_none": Text("This drill asks for the ex command {want}; you ran no ex command.",
                    "이 연습은 ex 명령({want})을 요구합니다. 실행한 ex 명령이 없습니다."),
    "ex_forbidden": Text("You ran {did}, which this drill asks you not to use.",
                         "이 연습에서 쓰지 말아야 할 명령({did})을 실행했습니다."),
    "you_ran_ex": Text("(Your ex commands: {did}.)", "(실행한 ex 명령: {did})"),
    "you_ran_no_ex": Text("(You ran no ex command.)", "(실행한 ex 명령이 없습니다.)"),
    "vi_missing": Text("This drill asks for the vi command {want}; your last commands were: {did}.",
                       "이 연습은 vi 명령({want})을 요구합니다. 마지막으로 실행한 명령: {did}"),
    "vi_forbidden": Text("You used {did}, which this drill asks you not to use.",
                         "이 연습에서 쓰지 말아야 할 명령({did})을 썼습니다."),
    "you_did_vi": Text("(Your last vi commands: {did}.)", "(마지막으로 실행한 vi 명령: {did})"),
    "kube_request_missing": Text("This drill asks for `{want}`; the cluster received: {did}.",
                                 "이 연습은 `{want}` 명령을 요구합니다. 클러스터가 받은 요청: {did}"),
    "kube_request_forbidden": Text("The cluster received {did}, which this drill asks you not to use.",
                                   "이 연습에서 쓰지 말아야 할 요청({did})을 클러스터가 받았습니다."),
    "kube_in_pod_missing": Text("This drill asks you to run {want} inside a pod; what ran in the containers: {did}.",
                                "이 연습은 파드 안에서 다음을 실행하라고 요구합니다: {want}. 컨테이너 안에서 실행한 것: {did}"),
    "kube_in_pod_ran": Text("(Ran inside the containers: {did}.)", "(컨테이너 안에서 실행한 것: {did})"),
    "kube_you_sent": Text("(The cluster received: {did}.)", "(클러스터가 받은 요청: {did})"),
    "keys_lack": Text("Your keys do not include {keys}.", "입력한 키에 {keys:가} 없습니다."),
    "keys_forbidden": Text("Your keys include {keys}, which this drill asks you not to use.",
                           "이 연습에서 쓰지 말아야 할 {keys:를} 입력했습니다."),
    "keys_over": Text("You used {got} keys; the limit is {want}.", "{got}개의 키를 썼습니다. 한도는 {want}개입니다."),
    "exit_differs": Text("The program exited with {got}, expected {want}.",
                         "프로그램의 종료 상태가 {got}입니다. 기대한 값은 {want}입니다."),
    "still_running": Text("The program is still running: leave it first.",
                          "프로그램이 아직 실행 중입니다. 먼저 종료하세요."),
    "answer_missing": Text("No answer was given.", "답이 없습니다."),
    "answer_unreadable_choice": Text("{got!r} is not one of the options: answer with one letter, a to {last}.",
                                     "{got!r}는 보기가 아닙니다. a부터 {last}까지 중 글자 하나로 답하세요."),
    "answer_unreadable_multi": Text("{got!r} is not a set of options: answer with their letters (a to {last}), "
                                    "e.g. a c.", "{got!r}는 보기의 모음이 아닙니다. 보기의 글자(a부터 {last}까지)로 답하세요. 예: a c"),
    "answer_unreadable_order": Text("{got!r} is not an order of the items: give every letter once, first to last.",
                                    "{got!r}는 항목의 순서가 아닙니다. 모든 글자를 한 번씩, 처음부터 끝까지 쓰세요."),
    "answer_unreadable_match": Text("{got!r} does not pair every numbered item with a letter: answer like 1b 2a.",
                                    "{got!r}는 번호마다 글자를 짝짓지 않았습니다. 1b 2a처럼 답하세요."),
    "answer_wrong": Text("The answer {got!r} is not right.", "답 {got!r:는} 맞지 않습니다."),
    "probe_failed": Text("The trainer could not measure the expected value ({command}).",
                         "기대값을 측정하지 못했습니다 ({command})."),
    "probe_differs": Text("`{command}` prints {got!r}, expected {want!r}.",
                          "`{command}`의 출력이 {got!r}입니다. 기대한 출력은 {want!r}입니다."),
    "kube_unread": Text("The cluster could not be read for {what}.", "{what:을} 클러스터에서 읽지 못했습니다."),
    "kube_missing": Text("{what} does not exist in namespace {namespace}.",
                         "{namespace} 네임스페이스에 {what:이} 없습니다."),
    "kube_present": Text("{what} should not exist any more.", "{what:이} 남아 있으면 안 됩니다."),
    "kube_field": Text("{what}: {path} is {got}, expected {want}.",
                       "{what}: {path} 값이 {got}입니다. 기대한 값은 {want}입니다."),
    "kube_count": Text("{got} {what} match ({condition}), expected {want}.",
                       "조건({condition})에 맞는 {what:이} {got}개입니다. 기대한 개수는 {want}개입니다."),
    "kube_not_imperative": Text("{what} was made from a file with kubectl apply; this drill asks for the imperative command.",
                                "{what:은} kubectl apply로 파일에서 만들어졌습니다. 이 연습은 명령형 명령을 요구합니다."),
    "kube_not_declarative": Text("{what} was not made with kubectl apply -f (it has no last-applied configuration); this drill asks for the declarative way.",
                                 "{what:은} kubectl apply -f로 만들어지지 않았습니다 (last-applied 설정이 없음). 이 연습은 선언형 방법을 요구합니다."),
    "kube_not_server_side": Text("{what} was not applied with kubectl apply --server-side.",
                                 "{what:은} kubectl apply --server-side로 적용되지 않았습니다."),
    "kube_manager_missing": Text("{what} was never changed with {manager} (changed by: {managers}).",
                                 "{what:은} {manager:로} 바뀐 적이 없습니다 (바꾼 관리자: {managers})."),
    "kube_file_yaml": Text("{path} is not valid YAML{where}.", "{path:은} 올바른 YAML이 아닙니다{where}."),
    "kube_file_object": Text("{path} has no {kind} {name}.", "{path}에 {kind} {name:이} 없습니다."),
    "kube_revision": Text("{what} is at revision {got}, expected {want}.",
                          "{what}의 리비전이 {got}입니다. 기대한 리비전은 {want}입니다."),
    "kube_rollout_pending": Text("The rollout of {what} has not finished.", "{what}의 롤아웃이 끝나지 않았습니다."),
}


def say_note(note: Note) -> Text:
    """What a sandbox Note tells the learner.

    >>> say_note(Note.of("flooded", kib=64)).en
    'The program wrote more than 64 KiB to the terminal and was stopped.'
    """
    return say(f"note_{note.code}", **dict(note.values))


def say(message_id: str, **values: object) -> Text:
    """The message ``message_id`` with ``values`` filled in, in both languages; a value that is itself
    a Text fills in its own language's words.

    >>> say("recall_via_r", did="wc -l a", want=say("how_vi")).ko.endswith("실행해야 합니다.")
    True
    """
    message = MESSAGES[message_id]
    en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
    ko = {k: v.ko if isinstance(v, Text) else v for k, v in values.items()}
    return Text(message.en.format(**en), format_text(message.ko, **ko))

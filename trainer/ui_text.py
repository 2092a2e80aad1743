"""Every sentence the REPL and the drill screen say, in English and Korean.

A test checks that no entry lacks a language; ``say(key, lang, **values)`` fills one in.

>>> say("unknown_command", "en", name="lst", guess="list")
"Unknown command 'lst'. Did you mean 'list'?"
"""

from __future__ import annotations

from trainer.model import Text

UI: dict[str, Text] = {
    "welcome": Text("Terminal trainer for AIX shell, vi and kubectl. Type `help` for commands, `next` to begin.",
                    "AIX 셸, vi, kubectl 터미널 트레이너입니다. 명령은 `help`, 시작하려면 `next`를 입력하세요."),
    "bye": Text("Bye. Your progress is saved.", "안녕히 가세요. 진행 상황은 저장되었습니다."),
    "bye_unsaved": Text("Bye. Nothing was saved: the progress file {path} is read-only.",
                        "안녕히 가세요. 진행 상황 파일이 읽기 전용이라 아무것도 저장하지 못했습니다: {path}"),
    "unknown_command": Text("Unknown command {name!r}. Did you mean {guess!r}?",
                            "알 수 없는 명령 {name!r}입니다. {guess!r:를} 입력하려던 것인가요?"),
    "unknown_command_plain": Text("Unknown command {name!r}. Type `help` for the list.",
                                  "알 수 없는 명령 {name!r}입니다. 목록은 `help`로 보세요."),
    "no_exercise": Text("No exercise {name!r}. Did you mean {guess!r}?", "{name!r} 연습이 없습니다. {guess!r}인가요?"),
    "no_exercise_plain": Text("No exercise {name!r}. `list` shows them all.",
                              "{name!r} 연습이 없습니다. 전체 목록은 `list`로 보세요."),
    "usage": Text("Usage: {usage}", "사용법: {usage}"),
    "start_in_group": Text("{name}: drill {n} of {total}, {id} (`list {name}` shows them all).",
                           "{name}: {total}개 중 {n}번째 연습 {id} (`list {name}`로 모두 볼 수 있습니다)."),
    "all_done": Text("Every exercise is solved. `stats` shows your record.",
                     "모든 연습을 풀었습니다. `stats`로 기록을 보세요."),
    "nothing_to_continue": Text("Nothing to continue yet: `next` starts the first unsolved drill.",
                                "아직 이어 할 연습이 없습니다. `next`로 풀지 않은 첫 연습을 시작하세요."),
    "no_current": Text("No drill yet: `start ID` or `next` first.", "아직 연습이 없습니다. 먼저 `start ID`나 `next`를 입력하세요."),
    "hint": Text("Hint {n}/{total}: {text}", "힌트 {n}/{total}: {text}"),
    "no_more_hints": Text("That was the last hint.", "마지막 힌트였습니다."),
    "solution_locked": Text("The solution opens after a failed check.", "풀이는 확인에 실패한 뒤에 볼 수 있습니다."),
    "solution": Text("Solution (recorded as seen): {keys}", "풀이 (본 것으로 기록됨): {keys}"),
    "skipped": Text("Skipped {id}.", "{id:를} 건너뛰었습니다."),
    "lang_set": Text("Language: English.", "언어: 한국어."),
    "topic_line": Text("{title} ({done}/{total})", "{title} ({done}/{total})"),
    "status_solved": Text("solved", "완료"),
    "status_tried": Text("tried", "시도함"),
    "status_skipped": Text("skipped", "건너뜀"),
    "status_new": Text("new", "새 연습"),
    "best_keys": Text("best {keys} keys", "최고 {keys}키"),
    "par": Text("par {par}", "기준 {par}"),
    "result_pass": Text("Passed: {keys} keys{par}, {seconds:.0f} s.", "통과: {keys}키{par}, {seconds:.0f}초."),
    "result_fail": Text("Not yet: {failed} of {total} checks fail.", "아직입니다: 확인 {total}개 중 {failed}개가 맞지 않습니다."),
    "result_left": Text("Left {id} unsolved.", "{id:를} 풀지 않고 나왔습니다."),
    "offer_next": Text("Type `next` for the next drill.", "다음 연습은 `next`를 입력하세요."),
    "offer_solution": Text("`solution` shows the reference solution.", "`solution`으로 풀이를 볼 수 있습니다."),
    # the drill screen
    "bar_keys": Text("keys {keys}", "키 {keys}"),
    "bar_time": Text("{minutes}:{seconds:02d}", "{minutes}:{seconds:02d}"),
    "bar_help": Text("F1 hint  F2 check  F5 reset  F6 solution  F10 leave",
                     "F1 힌트  F2 확인  F5 다시  F6 풀이  F10 나가기"),
    "bar_help_quiz": Text("F1 hint  F3 answer/terminal  F5 reset  F6 solution  F10 leave",
                          "F1 힌트  F3 답/터미널  F5 다시  F6 풀이  F10 나가기"),
    "bar_passed": Text("PASSED  F4 next  F10 leave", "통과  F4 다음  F10 나가기"),
    "answer_label": Text("Answer (Enter to check): ", "답 (Enter로 확인): "),
    "checks_heading": Text("Checks", "확인 결과"),
    "checks_passed": Text("Checks passed: {passed}", "맞은 확인: {passed}개"),
    "check_failed": Text("A check fails.", "맞지 않는 확인이 있습니다."),
    "cannot_pass_now": Text("What was done cannot be undone in this attempt: F5 starts it again.",
                            "이번 시도에서 한 일은 되돌릴 수 없습니다. F5로 다시 시작하세요."),
    "not_checked_shell": Text("Not checked yet: the checks run each time a command finishes (F2 checks now).",
                              "아직 확인하지 않았습니다. 명령이 끝날 때마다 확인합니다(F2: 지금 확인)."),
    "not_checked_vi": Text("Not checked yet: the checks run when you leave vi (F2 checks now).",
                           "아직 확인하지 않았습니다. vi를 끝내면 확인합니다(F2: 지금 확인)."),
    "not_checked_quiz": Text("Type your answer on the answer line below and press Enter.",
                             "아래 답 칸에 답을 입력하고 Enter를 누르세요."),
    "answer_was": Text("Your answer: {answer}", "입력한 답: {answer}"),
    "program_ended": Text("The program has ended: F5 starts again, F10 leaves.",
                          "프로그램이 끝났습니다. F5로 다시 시작하거나 F10으로 나가세요."),
    "vi_ended": Text("vi has ended. F5 opens the file again as it was at the start, F1 gives a hint, F10 leaves.",
                     "vi가 끝났습니다. F5는 파일을 처음 상태로 다시 열고, F1은 힌트를 보여 주고, F10은 나갑니다."),
    "next_step_shell": Text("Keep going: the checks run again after your next command. F1 hint, F6 solution, "
                            "F5 start again.",
                            "계속하세요. 다음 명령이 끝나면 다시 확인합니다. F1 힌트, F6 풀이, F5 처음부터."),
    "next_step_vi": Text("F1 gives a hint, F6 the solution, F5 starts again from the original file.",
                         "F1은 힌트, F6은 풀이를 보여 주고, F5는 원래 파일로 다시 시작합니다."),
    "next_step_quiz": Text("Type another answer and press Enter. F1 hint, F6 solution.",
                           "다른 답을 입력하고 Enter를 누르세요. F1 힌트, F6 풀이."),
    "variant_new": Text("variant {n}, new", "변형 {n}, 새 문제"),
    "variant_same": Text("variant {n} again (F5)", "변형 {n} 다시(F5)"),
    "more_above": Text("▲ more: F7", "▲ 위에 더 있음: F7"),
    "more_below": Text("▼ more: F8", "▼ 아래에 더 있음: F8"),
    "starting": Text("Starting {id}: ", "{id} 시작: "),
    "start_step_cluster": Text("practice cluster", "연습 클러스터"),
    "start_step_sandbox": Text("sandbox", "연습 공간"),
    "start_step_setup": Text("setup", "준비"),
    "start_step_program": Text("program", "프로그램"),
    "start_ready": Text("ready ({seconds:.1f} s)", "준비 완료({seconds:.1f}초)"),
    "too_small": Text("The terminal is {columns}x{rows}; drills need at least {need_c}x{need_r}.",
                      "터미널 크기가 {columns}x{rows}입니다. 연습에는 최소 {need_c}x{need_r:가} 필요합니다."),
    "kind_shell": Text("shell", "셸"),
    "kind_vi": Text("vi", "vi"),
    "kind_quiz": Text("quiz", "퀴즈"),
    "kind_kubectl": Text("kubectl", "쿠버네티스"),
    "streak": Text("Streak: {days} days", "연속 학습: {days}일"),
}

HELP: dict[str, tuple[str, Text]] = {
    "list": ("list [topic]", Text("topics with done/total, or the exercises of one topic",
                                  "주제별 완료/전체, 또는 한 주제의 연습 목록")),
    "start": ("start ID|TOPIC", Text("start a drill, or a topic's first unsolved one (also: run)",
                                     "연습 시작, 또는 주제의 풀지 않은 첫 연습 (run도 같음)")),
    "next": ("next", Text("start the first unsolved drill", "풀지 않은 첫 연습 시작")),
    "continue": ("continue", Text("go back to the last drill", "마지막 연습으로 돌아가기")),
    "hint": ("hint", Text("the next hint for the current drill", "현재 연습의 다음 힌트")),
    "solution": ("solution", Text("the reference solution, after a failed check", "확인 실패 후 풀이 보기")),
    "reset": ("reset", Text("start the current drill again from scratch", "현재 연습을 처음부터 다시")),
    "skip": ("skip", Text("skip the current drill", "현재 연습 건너뛰기")),
    "stats": ("stats", Text("completion per chapter and topic, and your streak", "장과 주제별 완료율, 연속 학습 일수")),
    "lang": ("lang ko|en", Text("switch the language", "언어 바꾸기")),
    "doctor": ("doctor", Text("which shell, vi and isolation the drills use", "연습에 쓰이는 셸, vi, 격리 방식")),
    "help": ("help [command]", Text("this list, or one command", "이 목록, 또는 명령 하나의 설명")),
    "quit": ("quit", Text("leave (Ctrl-D too)", "끝내기 (Ctrl-D도 같음)")),
}


def say(key: str, lang: str, **values: object) -> str:
    """The UI sentence ``key`` in ``lang`` with ``values`` filled in."""
    return UI[key].format(**values).get(lang)

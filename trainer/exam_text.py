"""Every sentence the mock exam says (its screens, task list, report and review), in English and Korean.

>>> exam_say("bar_left", "en", left=clock_text(754.2))
'⏱ 12:35 left'
>>> exam_say("report_row", "en", tasks=1, score=50)
'50%  (1 task)'
"""

from __future__ import annotations

import math
import re

from trainer.text import Text

EXAM: dict[str, Text] = {
    # the drill screen during an exam
    "bar_left": Text("⏱ {left} left", "⏱ {left} 남음"),
    "bar_task": Text("task {place} · {open} unanswered", "문항 {place} · 미답 {open}"),
    "bar_help": Text("F4 next task  F5 start again  F10 task list", "F4 다음 문항  F5 처음부터  F10 문항 목록"),
    "bar_help_answer": Text("Enter keep answer  F4 next task  F10 task list",
                            "Enter 답 저장  F4 다음 문항  F10 문항 목록"),
    "bar_help_short": Text("F4 next F5 F10 list", "F4 다음 F5 F10 목록"),
    "task_tag": Text("exam · task {place} · {kind}", "시험 · 문항 {place} · {kind}"),
    "answer_kept": Text("Answer kept: {answer}. Enter another to change it.",
                        "저장된 답: {answer}. 바꾸려면 다른 답을 입력하세요."),
    "program_ended": Text("The program has ended; what it left is what is graded. F5 starts the task again.",
                          "프로그램이 끝났습니다. 남은 결과가 채점됩니다. F5로 문항을 처음부터 다시 할 수 있습니다."),
    "no_help": Text("No hints, checks or solutions during an exam: they come in the review afterwards.",
                    "시험 중에는 힌트, 확인, 풀이가 없습니다. 끝난 뒤 검토에서 볼 수 있습니다."),
    "how_graded": Text("Graded as you leave it (F4 or F10) and again when the exam ends.",
                       "문항을 떠날 때(F4, F10)와 시험이 끝날 때 그 상태로 채점됩니다."),
    "resumed_task": Text("Your result from before the trainer stopped stands, unless you do this task again here.",
                         "트레이너가 멈추기 전의 결과가 유지됩니다. 여기서 다시 풀면 새 결과로 바뀝니다."),
    # the task list between tasks
    "begin": Text("Mock midterm: {tasks} tasks in {minutes} minutes (seed {seed}: `trainer exam --seed {seed} "
                  "--paper` prints this paper). No hints or solutions; skip a task with F4 and come back to it.",
                  "모의 중간고사: {tasks}문항, {minutes}분 (시드 {seed}: `trainer exam --seed {seed} --paper`로 이 "
                  "시험지를 출력할 수 있습니다). 힌트와 풀이는 없습니다. F4로 건너뛰고 나중에 돌아올 수 있습니다."),
    "resume": Text("Resuming exam {id}: {answered} of {tasks} tasks answered, {left} left.",
                   "시험 {id:을} 이어 합니다: {tasks}문항 중 {answered}문항 답함, {left} 남음."),
    "resume_options": Text("It keeps the options it was begun with: `finish` it to begin another.",
                           "시작할 때의 옵션을 그대로 씁니다. 새 시험은 이 시험을 `finish`로 제출한 뒤에 시작하세요."),
    "set_aside": Text("{problem}: it is set aside, unscored, and a new exam begins.",
                      "{problem}: 이 시험은 채점 없이 따로 두고 새 시험을 시작합니다."),
    "list_head": Text("Exam {id} · {left} left · {answered} of {tasks} answered",
                      "시험 {id} · {left} 남음 · {tasks}문항 중 {answered}문항 답함"),
    "state_answered": Text("answered", "답함"),
    "state_open": Text("opened", "열어 봄"),
    "state_new": Text("new", "새 문항"),
    "state_cannot": Text("cannot run here", "여기서 실행 불가"),
    "list_help": Text("Enter: the next task not answered · a number: that task · finish: hand in · "
                      "pause: stop, and `exam` resumes it later",
                      "Enter: 답하지 않은 다음 문항 · 번호: 그 문항 · finish: 제출 · "
                      "pause: 멈추고 나중에 `exam`으로 이어 하기"),
    "list_unknown": Text("{word!r} is not a task number or command here.", "{word!r:은} 문항 번호나 명령이 아닙니다."),
    "all_answered": Text("Every task has an answer: `finish` hands the exam in (you may still go back to a task).",
                         "모든 문항에 답했습니다. `finish`로 제출하세요 (문항으로 돌아갈 수도 있습니다)."),
    "confirm_finish": Text("Tasks with no answer yet: {open}. Hand in anyway? [y/N]",
                           "아직 답하지 않은 문항이 {open}개 있습니다. 그래도 제출할까요? [y/N]"),
    "paused": Text("Exam {id} paused with {left} left: `exam` resumes it.",
                   "시험 {id:을} 멈췄습니다. {left} 남았습니다. `exam`으로 이어 하세요."),
    "time_up": Text("Time is up: the exam is handed in as it stands.", "시간이 다 되었습니다. 지금 상태로 제출합니다."),
    "cannot_run": Text("Task {n} cannot run on this machine ({why}); it is not scored.",
                       "문항 {n:은} 이 컴퓨터에서 실행할 수 없어 채점하지 않습니다 ({why})."),
    "grading": Text("Grading every task as it stands ...", "모든 문항을 지금 상태로 채점하는 중 ..."),
    "read_only": Text("The progress file is read-only: this exam runs, but nothing of it is saved.",
                      "진행 상황 파일이 읽기 전용이라 이 시험은 저장되지 않습니다."),
    # the report
    "report_head": Text("Exam {id} (seed {seed}): {score} of 100 · {tasks} tasks · {used} used of {minutes}:00",
                        "시험 {id} (시드 {seed}): 100점 만점에 {score}점 · {tasks}문항 · {minutes}:00 중 {used} 사용"),
    "report_chapter": Text("By chapter", "장별"),
    "report_topic": Text("By topic", "주제별"),
    "report_row": Text("{score}%  ({tasks} tasks)", "{score}%  ({tasks}문항)"),
    "report_weakest": Text("Weakest: {name}. The tasks you missed are in `review` from tomorrow.",
                           "가장 약한 곳: {name}. 틀린 문항은 내일부터 `review`에 나옵니다."),
    "report_all": Text("Every task fully right.", "모든 문항을 완전히 맞혔습니다."),
    "report_not_scored": Text("Not scored (cannot run here): {ids}.", "채점하지 않음 (여기서 실행 불가): {ids}."),
    # the review
    "review_help": Text("Review: Enter or n next · p previous · a number: that task · replay: its recording · "
                        "q: done", "검토: Enter 또는 n 다음 · p 이전 · 번호: 그 문항 · replay: 녹화 재생 · q: 끝"),
    "review_task": Text("Task {n}/{total} · ch{chapter} · {id} · {earned:g} of {possible:g} points",
                        "문항 {n}/{total} · ch{chapter} · {id} · {possible:g}점 중 {earned:g}점"),
    "check_cost": Text("{reason} (−{points})", "{reason} (−{points}점)"),
    "check_failed": Text("A check failed.", "확인 하나를 통과하지 못했습니다."),
    "checks_passed": Text("{n} checks passed ({points} points)", "확인 {n}개 통과 ({points}점)"),
    "review_unanswered": Text("Not answered.", "답하지 않았습니다."),
    "review_keys": Text("Your keys ({count}): {keys}", "입력한 키 ({count}개): {keys}"),
    "review_answer": Text("Your answer: {answer}", "답: {answer}"),
    "review_solution": Text("Solution: {solution}", "풀이: {solution}"),
    "review_solution_words": Text("Solution: {solution} ({words})", "풀이: {solution} ({words})"),
    "review_explanation": Text("Why: {text}", "설명: {text}"),
    "review_replay": Text("`replay` plays your session.", "`replay`로 풀이 과정을 다시 볼 수 있습니다."),
    "review_no_recording": Text("This task has no recording.", "이 문항에는 녹화가 없습니다."),
    "review_end": Text("End of the review. `exam review {id}` opens it again.",
                       "검토가 끝났습니다. `exam review {id}`로 다시 볼 수 있습니다."),
    "no_exam": Text("No exam {id}: `stats` lists the exams taken.",
                    "시험 {id:이} 없습니다. `stats`에 본 시험이 나옵니다."),
    # stats
    "history_head": Text("Exams:", "시험:"),
    "history_row": Text("#{id} {date} {score}/100 ({tasks} tasks{scope})",
                        "#{id} {date} {score}/100 ({tasks}문항{scope})"),
    "history_running": Text("#{id} {date} in progress, {left} left", "#{id} {date} 진행 중, {left} 남음"),
    "history_set_aside": Text("#{id} {date} set aside, unscored", "#{id} {date} 채점 없이 따로 둠"),
    "history_none": Text("No exam yet: `exam` starts a mock midterm.",
                         "아직 본 시험이 없습니다. `exam`으로 모의 중간고사를 시작하세요."),
}


def exam_say(key: str, lang: str, **values: object) -> str:
    """The exam's sentence ``key`` in ``lang`` with ``values`` filled in."""
    text = EXAM[key].format(**values).get(lang)
    return _ONE.sub(r"\1", text) if lang == "en" else text


#: "1 tasks" said as "1 task" (the English sentences count in the plural).
_ONE = re.compile(r"(?<![\d.])(1 (?:task|check|point))s\b")


def clock_text(seconds: float) -> str:
    """Seconds left as M:SS, rounded up (a countdown shows 0:00 only when the time is up)."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"

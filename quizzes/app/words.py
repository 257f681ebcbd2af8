"""Every label the app shows, in both languages (one place, so nothing is left untranslated)."""

from __future__ import annotations

from typing import NamedTuple


class Text(NamedTuple):
    """A label in both languages, read as `text(lang)` like `torchdojo.i18n.Text` (which is a pydantic model:
    the app's first screen loads no pydantic, so its words and topic titles are plain tuples)."""

    en: str
    zh: str

    def __call__(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


WORDS: dict[str, Text] = {
    "title": Text(en="torchdojo", zh="torchdojo"),
    "dashboard": Text(en="Dashboard", zh="总览"),
    "quiz": Text(en="Quiz", zh="测验"),
    "results": Text(en="Results", zh="结果"),
    "exercises": Text(en="Exercises", zh="练习"),
    "progress": Text(en="Progress", zh="进度"),
    "help": Text(en="Help", zh="帮助"),
    "language": Text(en="中文", zh="English"),
    "theme": Text(en="Light/dark", zh="浅色/深色"),
    "quit": Text(en="Quit", zh="退出"),
    "mastery": Text(en="Mastery by topic", zh="各主题掌握程度"),
    "exercises_done": Text(en="Exercises done", zh="已完成练习"),
    "reviews_due": Text(en="Reviews due", zh="待复习"),
    "last_activity": Text(en="Last activity", zh="最近活动"),
    "never": Text(en="none yet", zh="暂无"),
    "start_quiz": Text(en="Start a quiz", zh="开始测验"),
    "start_review": Text(en="Review due questions", zh="复习到期题目"),
    "all_topics": Text(en="All topics", zh="全部主题"),
    "next": Text(en="Next", zh="下一题"),
    "submit": Text(en="Answer", zh="提交"),
    "your_answer": Text(en="Type your answer and press Enter", zh="输入答案后按回车"),
    "choose_hint": Text(en="Choose with 1–{n} or ↑↓, then Enter to answer (or click an option)", zh="用 1–{n} 或 ↑↓ 选择,再按回车提交(或直接点击选项)"),
    "multi_hint": Text(en="Toggle with 1–{n} or click; press a (or the Answer button) to answer", zh="按 1–{n} 或点击切换选择;按 a(或“提交”按钮)提交"),
    "tf_hint": Text(en="1 = true, 2 = false, then Enter to answer", zh="1 = 对,2 = 错,再按回车提交"),
    "true": Text(en="True", zh="对"),
    "false": Text(en="False", zh="错"),
    "correct": Text(en="✓ Correct", zh="✓ 正确"),
    "partly": Text(en="◐ Partly right", zh="◐ 部分正确"),
    "wrong": Text(en="✗ Not quite", zh="✗ 不太对"),
    "answer_shown": Text(en="Answer: {shown}", zh="答案:{shown}"),
    "press_next": Text(en="Press Enter for the next question", zh="按回车进入下一题"),
    "score": Text(en="Score", zh="得分"),
    "to_review": Text(en="To review", zh="需要复习"),
    "nothing_to_review": Text(en="Nothing to review: all correct!", zh="没有需要复习的:全部正确!"),
    "nothing_due": Text(en="Nothing is due for review yet.", zh="现在还没有到期需要复习的题目。"),
    "due_later": Text(en="{n} question(s) come back for review {when}.", zh="{n} 道题将在{when}回来复习。"),
    "in_minutes": Text(en="in {m} min (at {at})", zh="{m} 分钟后({at})"),
    "at_time": Text(en="at {at}", zh="{at}"),
    "on_day": Text(en="on {day}", zh="{day}"),
    "practise_now": Text(en="Practise the {n} missed now", zh="现在练习答错的 {n} 题"),
    "later": Text(en="Later", zh="以后再说"),
    "no_reviews_yet": Text(
        en="Nothing to review yet: questions you answer in a quiz come back here when they are due.",
        zh="还没有需要复习的题目:测验中答过的题目到期后会出现在这里。",
    ),
    "misses_return": Text(
        en="Missed questions come back for review in about 10 minutes; press r to practise them now.", zh="答错的题目约 10 分钟后回来复习;按 r 现在就练习。"
    ),
    "record": Text(en="Record: {path}", zh="记录文件:{path}"),
    "record_none": Text(en="Record: none (answers are not saved)", zh="记录文件:无(答案不会保存)"),
    "quiz_topic": Text(en="Quiz: {topic}", zh="测验:{topic}"),
    "check_selected": Text(en="Check the selected exercise", zh="检查选中的练习"),
    "hint_selected": Text(en="Hint for the selected exercise", zh="选中练习的下一条提示"),
    "footer_quiz": Text(en="Quiz", zh="测验"),
    "footer_review": Text(en="Review", zh="复习"),
    "footer_back": Text(en="Back", zh="返回"),
    "footer_check": Text(en="Check", zh="检查"),
    "footer_hint": Text(en="Hint", zh="提示"),
    "footer_practise": Text(en="Practise", zh="练习错题"),
    "footer_close": Text(en="Close", zh="关闭"),
    "choose_topics": Text(en="Choose topics", zh="选择主题"),
    "topics_hint": Text(
        en="Space or click ticks a topic; Enter on Start begins ten questions from the ticked topics.",
        zh="按空格或点击勾选主题;在“开始”上按回车,从勾选的主题中出十道题。",
    ),
    "start": Text(en="Start", zh="开始"),
    "cancel": Text(en="Cancel", zh="取消"),
    "no_topic": Text(en="Tick at least one topic", zh="请至少勾选一个主题"),
    "linked_quiz": Text(en="Quiz: {n} on this", zh="相关测验:{n} 题"),
    "linked_offer": Text(
        en="Passed! {n} quiz question(s) go with this exercise: press u or the button.", zh="通过了!这个练习有 {n} 道相关测验题:按 u 或点按钮。"
    ),
    "linked_none": Text(en="Pass this exercise first: its questions are offered once it passes.", zh="请先通过这个练习:通过后会提供相关题目。"),
    "linked_selected": Text(en="Quiz on the selected exercise", zh="选中练习的相关测验"),
    "predict_title": Text(en="Predict the output", zh="预测输出"),
    "predict_intro": Text(
        en="Before your first check of {id}: one question on what its code does. Optional.", zh="第一次检查 {id} 之前:一道关于它代码行为的题,可以跳过。"
    ),
    "predict_now": Text(en="Predict", zh="预测"),
    "predict_skip": Text(en="Skip, check now", zh="跳过,直接检查"),
    "footer_topics": Text(en="Topics", zh="主题"),
    "footer_linked": Text(en="Linked quiz", zh="相关测验"),
    "back": Text(en="Back to the dashboard", zh="返回总览"),
    "check": Text(en="Check", zh="检查"),
    "hint": Text(en="Hint", zh="提示"),
    "checking": Text(en="Checking {id}…", zh="正在检查 {id}…"),
    "edit_file": Text(en="Edit: {path}", zh="编辑文件:{path}"),
    "no_workspace": Text(en="No workspace here: run `torchdojo init` to get the exercise files.", zh="这里没有工作区:运行 `torchdojo init` 获取练习文件。"),
    "status_not started": Text(en="not started", zh="未开始"),
    "status_failing": Text(en="failing", zh="未通过"),
    "status_done": Text(en="done", zh="已完成"),
    "col_exercise": Text(en="Exercise", zh="练习"),
    "col_title": Text(en="Title", zh="标题"),
    "col_status": Text(en="Status", zh="状态"),
    "col_score": Text(en="Score", zh="得分"),
    "quiz_scores": Text(en="Quiz scores over time", zh="测验得分变化"),
    "exercises_over_time": Text(en="Exercises completed over time", zh="完成练习数变化"),
    "no_history": Text(en="No history yet: take a quiz or check an exercise.", zh="还没有记录:做一次测验或检查一个练习吧。"),
    "not_saved": Text(en="Answers are not being saved: {reason}", zh="答案不会被保存:{reason}"),
    "lang_switched": Text(en="Language: English", zh="语言:中文"),
    "bindings": Text(en="Keys", zh="按键"),
    # The help screen's lines: (key, what it does).
    "key_lang": Text(en="switch 中文 / English", zh="切换中文/英文"),
    "key_theme": Text(en="light / dark theme", zh="浅色/深色主题"),
    "key_places": Text(en="dashboard / exercises / progress", zh="总览 / 练习 / 进度"),
    "key_quiz": Text(en="start a quiz / review (dashboard)", zh="开始测验 / 复习(总览)"),
    "key_topics": Text(en="choose the quiz topics (dashboard)", zh="选择测验主题(总览)"),
    "key_choose": Text(en="choose an option (quiz)", zh="选择选项(测验)"),
    "key_enter": Text(en="answer, next question (quiz); check (exercises)", zh="提交答案、下一题(测验);检查练习"),
    "key_multiple": Text(en="answer a multiple-choice question", zh="提交多选题"),
    "key_practise": Text(en="practise the missed questions (results)", zh="练习答错的题(结果)"),
    "key_check_hint": Text(en="check / next hint (exercises)", zh="检查 / 下一条提示(练习)"),
    "key_linked": Text(en="quiz on a passed exercise (exercises)", zh="通过后的相关测验(练习)"),
    "key_back": Text(en="back", zh="返回"),
    "key_palette": Text(en="command palette: every action", zh="命令面板:所有操作"),
    "help_intro": Text(
        en="Everything works by keyboard and by mouse. The command palette (ctrl+p) has every action too.",
        zh="所有功能都可以用键盘或鼠标操作。命令面板(ctrl+p)里也有全部操作。",
    ),
}


def w(key: str, lang: str, **values: object) -> str:
    text = WORDS[key](lang)
    return text.format(**values) if values else text

"""torchdojo's quizzes: bilingual question banks (data), the quiz engine (no UI) and the Textual app.

`quizzes` may import `grader` (the shared progress record, bilingual text);
`grader` never imports `quizzes`.
"""

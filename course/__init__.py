"""course: the learner-facing side of scone-course (workspace, CAS control, shell, TUI)."""

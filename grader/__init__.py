"""grader: grades a learner's SCONE course script (runs, crash and fault runs, checks).

The grading engine arrives with its own issue; this package currently holds nothing but
its place in the layout, so that the import boundaries can already be enforced.
"""

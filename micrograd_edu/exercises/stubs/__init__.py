"""What a student gets: one file per exercise, its statement on top, the code to write below.

`micrograd-edu exercise N` copies exercise N's file from here into the student's folder.
"""

"""The errors the command line turns into one line and an exit status.

0 success, 1 a verification mismatch, 2 bad input (InputError), 3 a program excelbp relies
on failed (ExternalError), 4 anything else: a bug in excelbp, said as such.
"""


class InputError(Exception):
    """Bad input from the user: an option, a data file or a workbook.

    The message is one line and names the culprit (the option, or the file and line).
    """


class ExternalError(Exception):
    """A program excelbp drives (LibreOffice, Gnumeric) failed, timed out or wrote nothing."""

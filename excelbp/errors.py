"""The one error type the CLI turns into a one-line message and exit status 2."""


class InputError(Exception):
    """Bad input from the user: an option, a data file or a workbook.

    The message is one line and names the culprit (the option, or the file and line).
    """

"""A terminal in miniature, for tests of what a program shows on a terminal.

    controller, terminal = open_terminal()      # a pseudo-terminal, 120 columns
    process = subprocess.Popen([...], stdout=terminal, stderr=terminal)
    lines = screen(read_all(controller, terminal))   # every line as the user sees it at the end

`screen` applies what a live display writes (carriage return, line feed, cursor up and down,
erase line, erase below, column moves, auto-wrap at the last column) and ignores colours, so a
line drawn and then redrawn in place counts once, as on a real terminal. The scrollback is kept.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios

COLUMNS = 120
ROWS = 60
_TOKENS = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]|\x1b[=>78]|[\r\n\b]|[^\x1b\r\n\b]")


def open_terminal(columns: int = COLUMNS, rows: int = ROWS) -> tuple[int, int]:
    """(controller, terminal) file descriptors of a new pseudo-terminal of that size."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    return controller, terminal


def read_all(controller: int, terminal: int) -> str:
    """Everything written to the terminal until the last program using it closes it."""
    os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:   # the other side closed
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return output.decode("utf-8", "replace")


def screen(output: str, columns: int = COLUMNS, rows: int = ROWS) -> list[str]:
    """The lines a terminal holds (scrollback included) after `output`, trailing blanks dropped."""
    lines: list[list[str]] = [[]]
    row = col = 0

    def top() -> int:   # the cursor cannot leave the visible screen, the last `rows` lines
        return max(0, len(lines) - rows)

    def go_down() -> None:
        nonlocal row
        row += 1
        if row == len(lines):
            lines.append([])

    for match in _TOKENS.finditer(output):
        token = match.group(0)
        if match.group(2):
            argument, command = match.group(1), match.group(2)
            count = int(argument) if argument.isdigit() else (0 if command in "JK" else 1)
            if command == "A":
                row = max(top(), row - count)
            elif command == "B":
                row = min(len(lines) - 1, row + count)
            elif command == "C":
                col = min(columns - 1, col + count)
            elif command == "D":
                col = max(0, col - count)
            elif command == "G":
                col = min(columns - 1, count - 1)
            elif command == "K":
                line = lines[row]
                if count == 0:
                    del line[col:]
                elif count == 1:
                    line[:col + 1] = [" "] * min(len(line), col + 1)
                else:
                    line.clear()
            elif command == "J" and count == 0:
                del lines[row][col:]
                del lines[row + 1:]
        elif token == "\r":
            col = 0
        elif token == "\n":
            go_down()
            col = 0   # the terminal's output processing turns \n into \r\n
        elif token == "\b":
            col = max(0, col - 1)
        elif not token.startswith("\x1b"):
            if col >= columns:   # auto-wrap, once a character needs the next line
                go_down()
                col = 0
            line = lines[row]
            line.extend(" " * (col - len(line)))
            if col < len(line):
                line[col] = token
            else:
                line.append(token)
            col += 1
    text = ["".join(line).rstrip() for line in lines]
    while text and not text[-1]:
        text.pop()
    return text

"""robots.txt rules for one host, decided from how fetching its /robots.txt went.

RFC 9309 decides what an unsuccessful fetch means:

- 2xx: obey the rules in the file;
- 4xx (404 above all) and too many redirects: the file is "unavailable", everything is allowed;
- 5xx, or no answer at all (refused, timed out): the file is "unreachable", nothing is allowed.
  One Fetcher lives for one run, so the host is skipped for that run and tried again next time.

The matching is Protego's (Scrapy's parser), which follows RFC 9309: the longest matching
rule wins whatever its order in the file, Allow wins a tie, and paths may use the `*` and `$`
wildcards. (`urllib.robotparser` takes the first rule in file order and knows no wildcards.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from protego import Protego

DISALLOWED = "disallowed by robots.txt"


@dataclass(frozen=True)
class RobotsPolicy:
    parser: Protego | None = field(default=None, repr=False)  # None: one verdict for all
    allow_all: bool = True
    refusal: str = DISALLOWED  # the error given for every URL a policy without a file refuses

    @classmethod
    def from_text(cls, text: str) -> RobotsPolicy:
        return cls(parser=Protego.parse(text))

    @classmethod
    def unavailable(cls) -> RobotsPolicy:
        return cls(allow_all=True)

    @classmethod
    def unreachable(cls, why: str) -> RobotsPolicy:
        return cls(allow_all=False, refusal=f"robots.txt unreachable, host skipped: {why}")

    def refusal_for(self, url: str, user_agent: str) -> str | None:
        """None when `url` may be fetched, else the error line to report."""
        if self.parser is None:
            return None if self.allow_all else self.refusal
        return None if self.parser.can_fetch(url, user_agent) else DISALLOWED

"""Blog index link extraction grows linearly with the page: the time per link for a page of
100,000 links against one of 10,000, measured in one run.

    python bench/blog_index_links.py

Half of the anchors repeat an earlier link (index pages list a post in several places). A
ratio near 1.0 is linear; a repeat check by list scan made it grow with the number of links.
"""

from __future__ import annotations

import time

from newsfacts.extractors.blog_index import extract_links


def page(n: int) -> str:
    anchors = "".join(f'<a class="p" href="/post/{i % (n // 2)}">post</a>' for i in range(n))
    return f"<html><body>{anchors}</body></html>"


def seconds_per_link(n: int) -> float:
    html = page(n)
    started = time.perf_counter()
    links = extract_links(html, "https://blog.example/", "a.p")
    elapsed = time.perf_counter() - started
    assert len(links) == n // 2
    return elapsed / n


def main() -> None:
    small, large = seconds_per_link(10_000), seconds_per_link(100_000)
    print(f"10,000 links: {small * 1e6:.1f} us/link; 100,000 links: {large * 1e6:.1f} us/link; "
          f"ratio {large / small:.2f} (1.0 = linear)")


if __name__ == "__main__":
    main()

"""A page whose table holds every row, streamed: the page's head, the rows a chunk at a time, then its foot.

The dashboard's and the committee's « Tous » views: the rows come from one query read through a cursor
(`QuerySet.iterator(chunk_size=ROWS_CHUNK)`), each chunk is turned into HTML by a row renderer that needs no request
(no context processor runs again), so the queries stay constant and memory flat whatever the number of rows.
"""

from collections.abc import Callable, Iterable

from django.http import StreamingHttpResponse
from django.template.loader import render_to_string

ROWS_CHUNK = 500  # rows fetched from the cursor, rendered and sent at a time
ROWS_MARK = "<!--fab-rows-->"  # where the page's template leaves the rows


def streamed_page(request, template: str, context: dict, rows: Iterable, render_rows: Callable[[list], str], *,
                  empty: str = "", status: int = 200) -> StreamingHttpResponse:
    """`template` rendered around `rows`; `empty` is sent in their place when there is none."""
    head, _, foot = render_to_string(template, context, request=request).partition(ROWS_MARK)

    def chunks():
        yield head
        batch, sent = [], False
        for row in rows:
            batch.append(row)
            if len(batch) == ROWS_CHUNK:
                yield render_rows(batch)
                batch, sent = [], True
        if batch:
            yield render_rows(batch)
        elif not sent:
            yield empty
        yield foot

    return StreamingHttpResponse(chunks(), status=status, content_type="text/html; charset=utf-8")

"""The body of a response, whole, whether it was sent at once or streamed (open data)."""


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def text(response) -> str:
    return body(response).decode("utf-8")

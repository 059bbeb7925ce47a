"""Phrasing an answer with a language model: any OpenAI-compatible chat-completions endpoint
(a local Ollama, vLLM, or a hosted service an admin chose). The model sees the customer's
question and the article the bot found, is told to answer from it alone and to cite it, and
to say NO_ANSWER when the article does not answer the question."""

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import httpx

# What the model says when the article does not answer the question.
NO_ANSWER = "NO_ANSWER"
CITATION = "[1]"
MAX_ARTICLE_CHARACTERS = 4000
LANGUAGE_NAMES = {"pl": "Polish", "en": "English"}

Messages = list[dict[str, str]]


class Failure(StrEnum):
    """Why a call to the model gave no reply, in the words an admin can act on."""

    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    # 401 or 403: the key is missing or wrong.
    REFUSED = "refused"
    # 404: the address or the model name is wrong.
    NOT_FOUND = "not_found"
    HTTP_ERROR = "http_error"
    BAD_REPLY = "bad_reply"


class LanguageModelError(Exception):
    """The endpoint failed, timed out or answered something that is not a chat completion."""

    def __init__(self, message: str, *, failure: Failure, status_code: int | None = None):
        super().__init__(message)
        self.failure = failure
        self.status_code = status_code


class LanguageModel(Protocol):
    def complete(self, messages: Messages) -> str:
        """The model's reply to ``messages``; LanguageModelError when there is none."""
        ...


@dataclass(frozen=True)
class OpenAICompatible:
    """The chat-completions API: POST {base_url}/chat/completions with the model and the
    messages, the reply in choices[0].message.content."""

    base_url: str
    model: str
    api_key: str
    timeout_seconds: float

    def __repr__(self) -> str:
        return f"<OpenAICompatible {self.model!r} at {self.base_url!r}>"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url.rstrip('/')}/chat/completions"

    def complete(self, messages: Messages) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(
                self.endpoint,
                json={"model": self.model, "messages": messages, "temperature": 0},
                headers=headers,
                timeout=self.timeout_seconds,
            )
            response.raise_for_status()
        except httpx.TimeoutException as error:
            raise _error(error, Failure.TIMEOUT) from error
        except httpx.HTTPStatusError as error:
            status = error.response.status_code
            raise _error(error, _HTTP_FAILURES.get(status, Failure.HTTP_ERROR), status) from error
        except httpx.HTTPError as error:
            raise _error(error, Failure.UNREACHABLE) from error
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise _error(error, Failure.BAD_REPLY) from error
        if not isinstance(content, str):
            raise LanguageModelError("the reply has no text", failure=Failure.BAD_REPLY)
        return content.strip()


_HTTP_FAILURES = {401: Failure.REFUSED, 403: Failure.REFUSED, 404: Failure.NOT_FOUND}


def _error(
    error: Exception, failure: Failure, status_code: int | None = None
) -> LanguageModelError:
    return LanguageModelError(
        f"{type(error).__name__}: {error}", failure=failure, status_code=status_code
    )


def prompt(
    *, question: str, title: str, url: str, text: str, language: str, brand: str
) -> Messages:
    """The messages that ask for an answer from one article only, cited as [1]."""
    language_name = LANGUAGE_NAMES.get(language, language)
    system = (
        f"You are the customer service assistant of {brand}. Answer the customer's question "
        f"using ONLY the article below; never add facts that are not in it. Reply in "
        f"{language_name}, in at most four sentences, and cite the article as {CITATION}. "
        f"If the article does not answer the question, reply with exactly {NO_ANSWER}."
    )
    article = f"{CITATION} {title} ({url})\n{text[:MAX_ARTICLE_CHARACTERS]}"
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Article:\n{article}\n\nQuestion: {question}"},
    ]


def declined(reply: str) -> bool:
    """The model said the article does not answer, or gave nothing usable."""
    return not reply or NO_ANSWER in reply

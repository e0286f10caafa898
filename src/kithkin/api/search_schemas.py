"""Response models of GET /search."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Span(BaseModel):
    text: str
    match: bool = Field(description="one of the words searched for: show it marked")


class PersonRef(BaseModel):
    id: str
    name: str


class OpenAt(BaseModel):
    person_id: str
    before: str = Field(description="the timeline cursor that starts at this conversation")


class ConversationHit(BaseModel):
    id: str
    source_type: str
    kind: str
    occurred_at: str
    direction: str | None
    context: str | None
    title: str | None
    thread_id: str | None
    score: float
    people: list[PersonRef]
    title_spans: list[Span]
    snippet_spans: list[Span]
    open: OpenAt | None


class PersonHit(BaseModel):
    id: str
    canonical_name: str
    company: str | None
    position: str | None
    avatar: str | None
    relationship_strength: float
    sources: list[str]
    matched_by: list[str] = Field(description='"name" (who they are) and/or "conversations" (what was said)')
    match_count: int = Field(description="their matching conversations among those ranked")
    last_match: str | None
    snippets: list[ConversationHit]


class PeopleHits(BaseModel):
    items: list[PersonHit]
    total: int


class ConversationHits(BaseModel):
    items: list[ConversationHit]
    total: int
    counted_all: bool = Field(description="false when there are more matches: the newest `total` were ranked")


class SearchResults(BaseModel):
    query: str
    people: PeopleHits
    conversations: ConversationHits

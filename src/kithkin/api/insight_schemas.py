"""Request and response models of the relationship routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kithkin.api.schemas import AttendeeBrief, MeetingBrief, Statistics


class RelationshipPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_confirmed: bool | None = None
    relationship_type: str | None = Field(None, min_length=1, max_length=40, description="coworker, friend, family…")
    user_notes: str | None = Field(None, max_length=20_000)


class RelationshipRecord(BaseModel):
    id: str
    person_a_id: str
    person_b_id: str
    relationship_type: str | None
    shared_contexts: list[str]
    shared_events_count: int
    shared_threads_count: int
    overlap_score: float = Field(ge=0, le=1)
    first_seen_together: str | None
    last_seen_together: str | None
    user_confirmed: bool
    user_notes: str | None


class FactPublic(BaseModel):
    kind: str = Field(description="birthday, company, past_company, title, location, met, last_topic, family, interest")
    value: str
    source_type: str | None
    source_ref: str | None
    observed_at: str | None


class FactList(BaseModel):
    items: list[FactPublic]
    total: int


class SourceCoverage(BaseModel):
    """What one source brought."""

    source_type: str
    entities: int = Field(description="identities seen in this source")
    owner_entities: int = Field(description="of them, the user's own")
    linked_entities: int = Field(description="of them, belonging to a person")
    linked_share: float = Field(ge=0, le=1, description="linked_entities among the identities not the user's")
    pending_links: int = Field(description="links from this source awaiting review")
    people: int = Field(description="people this source knows")
    interactions: int
    first_month: str | None = Field(description="YYYY-MM of the oldest interaction")
    last_month: str | None = Field(description="YYYY-MM of the newest interaction")
    last_sync_at: str | None


class StatisticsPublic(Statistics):
    coverage: list[SourceCoverage]


class NoteMention(BaseModel):
    id: str
    source_type: str
    occurred_at: str
    title: str | None
    snippet: str | None


class AttendeeBriefPublic(AttendeeBrief):
    how_you_know: str | None = Field(description="first time in touch and the sources that know them; null if never")
    facts: list[FactPublic] = Field(description="quick facts about the attendee, each with its source")
    shared_people: list[str] = Field(
        default_factory=list, description="people the attendee is tied to (not at the meeting), closest first"
    )
    mentions: list[NoteMention] = Field(
        default_factory=list, description="the latest notes and meeting notes that mention the attendee"
    )


class MeetingBriefPublic(MeetingBrief):
    attendees: list[AttendeeBriefPublic]  # the same attendees, told more about

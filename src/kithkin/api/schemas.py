"""Pydantic models at the API edge: what /openapi.json promises."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PersonPublic(BaseModel):
    id: str
    canonical_name: str
    emails: list[str]
    phone_numbers: list[str]
    company: str | None
    position: str | None
    linkedin_url: str | None = None
    avatar: str | None = None
    category: str
    vault_contexts: list[str] = Field(default_factory=list)
    tags: list[str]
    notes: str
    relationship_strength: float = Field(ge=0, le=1)
    sources: list[str]
    source_entity_count: int
    interaction_count: int
    interactions_90d: int = 0
    first_seen: str | None
    last_seen: str | None


class SourceEntityPublic(BaseModel):
    id: str
    source_type: str
    source_id: str | None
    observed_name: str | None
    observed_email: str | None
    observed_phone: str | None
    observed_at: str
    canonical_person_id: str | None
    link_confidence: float | None
    link_status: str | None
    linked_by: str | None = None
    account: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class PendingLinkPublic(BaseModel):
    id: str
    source_entity: SourceEntityPublic | None
    proposed_person: PersonPublic | None
    previous_person: PersonPublic | None = None
    reason: str | None
    confidence: float | None
    status: str
    alternatives: list[dict[str, Any]] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)
    interactions_affected: int = 0
    created_at: str | None = None


class RelationshipPublic(BaseModel):
    id: str
    person_id: str
    person_name: str
    relationship_type: str | None
    shared_contexts: list[str] = Field(default_factory=list)
    shared_events_count: int = 0
    shared_threads_count: int = 0
    overlap_score: float = 0
    first_seen_together: str | None = None
    last_seen_together: str | None = None
    user_confirmed: bool = False
    user_notes: str | None = None


class PersonDetail(PersonPublic):
    source_entities: list[SourceEntityPublic]
    pending_links: list[PendingLinkPublic]
    relationships: list[RelationshipPublic]


class PersonList(BaseModel):
    items: list[PersonPublic]
    total: int


class PersonPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: str | None = Field(None, max_length=100_000)
    tags: list[str] | None = Field(None, max_length=200)
    category: str | None = Field(None, min_length=1, max_length=64)
    canonical_name: str | None = Field(None, min_length=1, max_length=300)
    company: str | None = Field(None, max_length=300)
    position: str | None = Field(None, max_length=300)


class Statistics(BaseModel):
    people: int
    source_entities: int
    interactions: int
    relationships: int
    pending_links: int
    entities_by_source: dict[str, int]
    interactions_by_source: dict[str, int]
    interactions_by_month: list[dict[str, Any]]
    sources: list[dict[str, Any]]


class ErrorBody(BaseModel):
    detail: str

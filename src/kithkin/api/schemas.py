"""Pydantic models at the API edge: what /openapi.json promises."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from kithkin.identity.normalize import readable_phone


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
    last_seen: str | None = Field(description="the last interaction that already happened")
    next_seen: str | None = Field(None, description="the next interaction still ahead (a meeting), if any")
    merged_into: str | None = Field(None, description="set when this person was merged into another")

    @computed_field(description="the name to show: a number nobody named yet is written as people write it")
    def display_name(self) -> str:
        return readable_phone(self.canonical_name) if self.canonical_name in self.phone_numbers else self.canonical_name

    @computed_field(description="false while the person is known by a number only: the UI invites a name")
    def named(self) -> bool:
        return self.canonical_name not in self.phone_numbers


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


class AlternativePublic(BaseModel):
    """Another candidate person the resolver weighed for a pending link."""

    person_id: str
    confidence: float | None = None
    reason: str | None = None
    person: PersonPublic | None = None


class PendingLinkPublic(BaseModel):
    id: str
    source_entity: SourceEntityPublic | None
    proposed_person: PersonPublic | None
    previous_person: PersonPublic | None = None
    reason: str | None
    confidence: float | None
    status: str
    alternatives: list[AlternativePublic] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)
    interactions_affected: int = 0
    sample: dict[str, Any] | None = Field(
        None, description="the entity's latest interaction with words (source_type, kind, occurred_at, title, snippet)"
    )
    created_at: str | None = None
    resolved_at: str | None = None


class PendingLinkList(BaseModel):
    items: list[PendingLinkPublic]
    total: int


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    create_new_person: bool = Field(False, description="give the source entity a person of its own")


class BulkConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=200, description="only links proposed for this reason")
    min_confidence: float | None = Field(None, ge=0, le=1, description="only links at least this confident")


class BulkConfirmResult(BaseModel):
    confirmed: int


class DecisionPublic(BaseModel):
    """One entry of the link decision log; undoable until undone."""

    id: int
    action: str
    source_entity_id: str | None = None
    person_id: str | None = None
    previous_person_id: str | None = None
    other_person_id: str | None = None
    pending_link_id: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    decided_by: str
    decided_at: str
    undone_at: str | None = None
    person_name: str | None = None
    previous_person_name: str | None = None
    other_person_name: str | None = None
    observed_name: str | None = None
    source_type: str | None = None


class DecisionList(BaseModel):
    items: list[DecisionPublic]
    total: int


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    other_id: str = Field(min_length=1, max_length=100, description="the person merged into this one")


class SplitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_entity_ids: list[str] = Field(min_length=1, max_length=10_000, description="moved to a new person")


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


class ImportSummaryPublic(BaseModel):
    """What an import or sync did (the shape of `kithkin import --json`)."""

    model_config = ConfigDict(extra="allow")
    source: str
    files: int
    source_entities: int
    interactions: int
    people_created: int
    links_auto: int
    links_pending: int
    skipped: int
    errors: list[str]


class JobPublic(BaseModel):
    """A background import or sync: poll GET /jobs/{id} until `state` is succeeded or failed."""

    id: str
    kind: Literal["import", "sync"]
    source: str
    state: Literal["queued", "running", "succeeded", "failed"]
    done: int = Field(description="observations stored so far")
    total: int | None = Field(description="observations expected, when the source says")
    summary: ImportSummaryPublic | None
    error: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class JobList(BaseModel):
    items: list[JobPublic]
    total: int


class LiveStatusPublic(BaseModel):
    """How one configured live source is kept current while `kithkin serve` or `kithkin sync --watch` runs."""

    key: str = Field(description="type:account, as configured")
    type: str
    account: str
    state: Literal["syncing", "retrying", "watching", "listening", "scheduled", "idle"]
    watching: str | None = Field(description="the folder watched for changes of a store read in place")
    interval_minutes: float | None = Field(description="minutes between syncs of a remote source")
    next_sync_at: str | None = Field(description="when it syncs next (a retry after a failure too)")
    last_sync_at: str | None
    interactions_added: int = Field(description="by its last sync")
    source_entities_added: int = Field(description="by its last sync")
    last_error: str | None
    failures: int = Field(description="failed syncs in a row")


class SourcePublic(BaseModel):
    """One kind of source: what it holds, whether files can be uploaded for it, its live accounts."""

    name: str
    importable: bool = Field(description="files of this source can be uploaded to POST /sources/import")
    live: bool = Field(description="this is a live source type for POST /sources/{type}/sync")
    configured: list[str] = Field(description="accounts of this live source type configured in config.yaml")
    source_entities: int
    interactions: int
    last_sync_at: str | None
    last_status: str | None
    last_error: str | None
    items_synced: int
    last_job: JobPublic | None
    live_status: list[LiveStatusPublic] = Field(description="its live sources, while something keeps them current")


class SourceList(BaseModel):
    items: list[SourcePublic]
    total: int


class ArrivalMark(BaseModel):
    mark: str = Field(
        description="changes whenever interactions or source entries were added, or a live source's state changed"
    )


class ErrorBody(BaseModel):
    detail: str


class TimelineParticipant(BaseModel):
    source_entity_id: str
    role: str
    observed_name: str | None
    observed_email: str | None
    observed_phone: str | None
    canonical_person_id: str | None
    canonical_name: str | None


# Interaction ids are 63-bit: as JSON numbers past 2**53 they lose digits in browsers, so they travel as strings.
InteractionId = Annotated[str, Field(pattern=r"^[0-9]+$", description="an interaction id (decimal string)")]


class TimelineItem(BaseModel):
    """One interaction with everyone who took part in it."""

    id: InteractionId
    source_type: str
    source_id: str
    account: str | None
    kind: str
    occurred_at: str
    direction: str | None
    thread_id: str | None
    context: str | None
    title: str | None
    snippet: str | None
    participant_count: int
    metadata: dict[str, Any] = Field(default_factory=dict)
    participants: list[TimelineParticipant]


class TimelinePage(BaseModel):
    items: list[TimelineItem]
    total: int = Field(description="the person's interactions in all, with the source filter")
    next_cursor: str | None = Field(description="pass as `before` for the next page; null on the last page")


class MeetingSummary(BaseModel):
    id: InteractionId
    title: str | None
    occurred_at: str
    context: str | None
    source_type: str
    attendee_count: int = Field(description="everyone invited but the owner")
    attendee_names: list[str]
    recurring: bool = Field(False, description="the next occurrence of a recurring series, listed once")
    series_ahead: int = Field(1, description="how many occurrences of the series are ahead, this one included")


class MeetingList(BaseModel):
    items: list[MeetingSummary]
    total: int


class MeetingInteraction(BaseModel):
    id: InteractionId
    source_type: str
    kind: str
    occurred_at: str
    title: str | None
    snippet: str | None


class AttendeeBrief(BaseModel):
    name: str
    email: str | None
    role: str
    known: bool = Field(description="false for someone never in touch before this meeting")
    last_contact: str | None = Field(description="when the last interaction before now took place")
    person: PersonPublic | None
    recent_interactions: list[MeetingInteraction]
    connected_attendees: list[str] = Field(description="other attendees this one has a relationship with")


class MeetingBrief(BaseModel):
    id: InteractionId
    title: str | None
    occurred_at: str
    context: str | None
    source_type: str
    attendees: list[AttendeeBrief]


class ConnectionList(BaseModel):
    """A person's related people, the largest overlap first."""

    items: list[RelationshipPublic]
    total: int


class Suggestion(BaseModel):
    person: PersonPublic
    score: float = Field(description="the summed overlap with the user's strong ties")
    via: list[str] = Field(description="the strong ties this person is close to, closest first")
    reason: str
    group: Literal["close", "company", "context"] = Field(
        "close", description="the main reason: close to your strong ties, at their company, in their notes context"
    )


class SuggestionList(BaseModel):
    items: list[Suggestion]
    total: int

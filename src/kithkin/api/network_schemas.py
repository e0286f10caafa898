"""Response models of the network routes: what lies ahead with a person, communities, the network graph."""

from __future__ import annotations

from pydantic import BaseModel, Field

from kithkin.api.schemas import InteractionId


class UpcomingItem(BaseModel):
    """An interaction still ahead (a meeting): not contact yet."""

    id: InteractionId
    source_type: str
    kind: str
    occurred_at: str
    title: str | None
    context: str | None


class UpcomingList(BaseModel):
    items: list[UpcomingItem]
    total: int = Field(description="how many interactions are ahead in all")


class NetworkNode(BaseModel):
    id: str
    canonical_name: str
    relationship_strength: float
    category: str
    company: str | None
    community: int | None = Field(description="the id of the person's community; null when tied to no one shown")
    centrality: float = Field(description="the summed strength of the person's ties shown: who holds a group together")


class NetworkEdge(BaseModel):
    source: str
    target: str
    relationship_type: str | None
    overlap_score: float
    last_seen_together: str | None


class CommunityPublic(BaseModel):
    """People more tied to one another than to the rest, named by what most of them share."""

    id: int
    name: str = Field(description="a company, a shared group or context, or 'Around <its most central person>'")
    reason: str = Field(description="why the name, in words: '5 of 7 work at Acme'")
    size: int
    members: list[str] = Field(description="person ids, most central first")


class NetworkGraph(BaseModel):
    """People, the ties among them and their communities (the largest first)."""

    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    communities: list[CommunityPublic]
    center: str | None = Field(None, description="the person an ego network is drawn around")


class CompanySummary(BaseModel):
    id: str = Field(description="the company's name folded into a slug: bluefin-studio")
    name: str
    domains: list[str] = Field(description="email domains crm_mappings.yaml maps to it")
    people_count: int
    strongest: list[str] = Field(description="the names of the three people the user is closest to there")
    last_contact: str | None


class CompanyList(BaseModel):
    items: list[CompanySummary]
    total: int


class CompanyPerson(BaseModel):
    id: str
    canonical_name: str
    position: str | None
    relationship_strength: float
    last_seen: str | None
    interaction_count: int
    evidence: list[str] = Field(description="what places them there, in words: 'LinkedIn', 'email at acme.com'")


class CompanyDetail(BaseModel):
    id: str
    name: str
    domains: list[str]
    last_contact: str | None
    people_count: int
    people: list[CompanyPerson] = Field(description="strongest first")


class PathPerson(BaseModel):
    id: str
    canonical_name: str


class PathHop(BaseModel):
    from_id: str | None = Field(alias="from", description="null for the first hop: from the user")
    to: str
    weight: float = Field(
        description="0..1: the person's strength from the user, or the tie's recency-weighted overlap"
    )
    words: str = Field(description="the evidence: 'You and Ana: 120 interactions…', 'Ana and Raj: 14 shared meetings…'")


class PathPublic(BaseModel):
    score: float = Field(description="the product of the hops' weights")
    people: list[PathPerson] = Field(description="from the first person the user knows to the person asked about")
    hops: list[PathHop]


class PathList(BaseModel):
    """The strongest chains from the user to a person, up to three hops, strongest first."""

    items: list[PathPublic]
    total: int

namespace Gateway.Approvals;

/// <summary>
/// What <c>POST /policy/pending/{id}/approve|reject</c> did: the id, the host and sandbox it was
/// for, and for an approval the rule it created (null when an equal rule was there already).
/// <paramref name="Released"/> is false when the request had stopped waiting meanwhile (it timed
/// out between the listing and the answer): the rule is created all the same.
/// </summary>
internal sealed record ApprovalAnswer(
    string Id, string Outcome, string Sandbox, string Host, int Port, string? RuleId, string Scope, DateTimeOffset? ExpiresAt, bool Released);

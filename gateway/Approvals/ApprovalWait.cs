namespace Gateway.Approvals;

/// <summary>The end of one held request's wait: how it ended, and the id it waited under (null when it was never held).</summary>
internal readonly record struct ApprovalWait(ApprovalOutcome Outcome, string? Id);

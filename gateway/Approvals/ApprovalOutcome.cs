namespace Gateway.Approvals;

/// <summary>How a held request's wait for approval ended.</summary>
internal enum ApprovalOutcome
{
    /// <summary>An operator approved it (<c>policy approve</c>): a rule now allows it; decide again and go on.</summary>
    Approved,

    /// <summary>An operator rejected it (<c>policy reject</c>): 403, reason <c>rejected</c>.</summary>
    Rejected,

    /// <summary>Nobody answered within <c>policy.ask.holdFor</c>: 403, reason <c>approval-timeout</c>.</summary>
    TimedOut,

    /// <summary>Not held: the sandbox already has <c>policy.ask.maxPendingPerSandbox</c> pending; 403 at once, reason <c>no-match</c>.</summary>
    Full,

    /// <summary>The client went away while it waited; nothing is answered, the refusal is recorded as <c>no-match</c>.</summary>
    ClientGone,
}

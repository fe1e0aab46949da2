namespace Gateway.Approvals;

/// <summary>What <see cref="PendingApprovals.TryHold"/> did with a request.</summary>
internal enum HoldStatus
{
    /// <summary>A new pending approval: the operator (and the webhook) are told of it.</summary>
    Created,

    /// <summary>The same sandbox already waits for the same host and port: this request waits on that approval.</summary>
    Joined,

    /// <summary>The sandbox has as many pending approvals as it may; refused at once.</summary>
    Full,
}

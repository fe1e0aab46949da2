namespace Gateway.Configuration;

/// <summary>
/// <c>policy.ask</c>: hold a request no rule matches as a pending approval instead of refusing it
/// at once (DESIGN.md "Policy semantics"). Off by default: a gateway with no operator watching
/// would only make every unknown host wait <see cref="HoldFor"/> before its 403.
/// </summary>
/// <param name="Enabled">Hold no-match requests for approval.</param>
/// <param name="HoldFor">How long a pending approval waits before the client gets its 403.</param>
/// <param name="Webhook">An http(s) URL told of each new pending approval (a signed JSON POST); null: none.</param>
/// <param name="WebhookSecret">The HMAC-SHA256 key of the webhook's signature, given inline.</param>
/// <param name="WebhookSecretFile">The same key read from a file (trimmed) at each POST, so it can be rotated.</param>
/// <param name="MaxPendingPerSandbox">Pending approvals one sandbox may have at once; past it, refused at once.</param>
internal sealed record AskConfig(
    bool Enabled, TimeSpan HoldFor, Uri? Webhook, string? WebhookSecret, string? WebhookSecretFile, int MaxPendingPerSandbox)
{
    /// <summary>Ask mode off, with the defaults the keys take when it is turned on.</summary>
    public static AskConfig Disabled { get; } = new(false, TimeSpan.FromSeconds(30), null, null, null, 16);
}

namespace Gateway.Credentials;

/// <summary>
/// Fetches a fresh value of one source that is worth caching (a command's output, a minted token).
/// Called by <see cref="CachedCredential"/> only, one call at a time per source.
/// </summary>
internal abstract class CredentialMinter
{
    /// <summary>The value and how long it lasts, or what failed (never a secret).</summary>
    public abstract Task<CredentialResult> MintAsync(CancellationToken cancellationToken);
}
